// Imported first by the local tools. The AWS SDK warns on every start under Node 20 that releases
// after January 2027 will need Node 22; the local mode supports Node 20 and says so in the README,
// so the nine-line warning only hides the bridge's own lines. The functions run on Node 24.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
