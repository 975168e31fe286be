// The account's concurrent calls, as Telnyx counts them: a fax holds a channel from the POST's
// acceptance until its final status. The bench draws its calls-in-flight curve from `timeline`.

export interface CallStats {
  /** The limit; undefined when there is none. */
  channels?: number;
  inFlight: number;
  peakInFlight: number;
  /** Faxes accepted while every channel was taken, failed as `user_channel_limit_exceeded`. */
  channelLimitFailures: number;
  /** Each change of `inFlight`: epoch milliseconds and the count after it. */
  timeline: { atMs: number; inFlight: number }[];
}

export interface Channels {
  /** Takes a channel; false (and counted as a limit failure) when all of them are taken. */
  take(): boolean;
  release(): void;
  stats(): CallStats;
}

export function createChannels(channels: number | undefined, nowMs = () => Date.now()): Channels {
  let inFlight = 0;
  let peakInFlight = 0;
  let channelLimitFailures = 0;
  const timeline: CallStats['timeline'] = [];
  const move = (by: number) => {
    inFlight += by;
    peakInFlight = Math.max(peakInFlight, inFlight);
    timeline.push({ atMs: nowMs(), inFlight });
  };
  return {
    take() {
      if (channels !== undefined && inFlight >= channels) {
        channelLimitFailures += 1;
        return false;
      }
      move(1);
      return true;
    },
    release: () => move(-1),
    stats: () => ({
      ...(channels === undefined ? {} : { channels }),
      inFlight,
      peakInFlight,
      channelLimitFailures,
      timeline: timeline.map((point) => ({ ...point })),
    }),
  };
}
