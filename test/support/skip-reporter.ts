// Says in one line how many tests did not run because ../shared is absent, so that a run on a fresh
// clone does not pass for having checked what it could not read.
import type { Reporter, TestModule } from 'vitest/node';
import { NEEDS_SHARED } from './paths';

export default class SharedSkipReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    let skipped = 0;
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        if (test.result().state === 'skipped' && test.fullName.includes(NEEDS_SHARED)) skipped++;
      }
    }
    if (skipped > 0) {
      console.log(
        `\n${skipped} tests skipped: they read ../shared (real-world emails, Telnyx's schema and docs), which is not beside this checkout\n`,
      );
    }
  }
}
