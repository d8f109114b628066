import cliProgress from "cli-progress";

export interface DownloadProgress {
  file: string;
  done: number;
  total?: number;
}

/**
 * A progress bar per downloaded file (model weights, datasets): MB done of MB
 * total, speed and ETA on a terminal; a line per 10% otherwise (CI logs).
 */
export function downloadProgress(stream: NodeJS.WriteStream = process.stderr): {
  onProgress: (p: DownloadProgress) => void;
  stop: () => void;
} {
  const bars = new Map<
    string,
    { bar?: cliProgress.SingleBar; lastDecile: number; started: number }
  >();
  const mb = (n: number) => n / 1e6;
  const onProgress = ({ file, done, total }: DownloadProgress) => {
    let state = bars.get(file);
    if (!state) {
      state = { lastDecile: -1, started: performance.now() };
      if (stream.isTTY) {
        state.bar = new cliProgress.SingleBar(
          {
            stream,
            format: `downloading {file} {bar} {value}/{total} MB · {speed} MB/s · ETA {eta_formatted}`,
            barsize: 20,
            hideCursor: true,
            formatValue: (v, _o, type) =>
              type === "value" || type === "total" ? v.toFixed(1) : String(v),
          },
          cliProgress.Presets.shades_classic,
        );
        state.bar.start(total ? mb(total) : 0, 0, { file, speed: "0.0" });
      }
      bars.set(file, state);
    }
    if (state.bar) {
      if (total) state.bar.setTotal(mb(total));
      const seconds = (performance.now() - state.started) / 1000;
      state.bar.update(mb(done), {
        file,
        speed: seconds > 0 ? (mb(done) / seconds).toFixed(1) : "0.0",
      });
      return;
    }
    const decile = total ? Math.floor((done / total) * 10) : -1;
    if (decile > state.lastDecile) {
      state.lastDecile = decile;
      stream.write(
        `downloading ${file}: ${mb(done).toFixed(1)}${total ? ` of ${mb(total).toFixed(1)}` : ""} MB\n`,
      );
    }
  };
  const stop = () => {
    for (const s of bars.values()) s.bar?.stop();
    bars.clear();
  };
  return { onProgress, stop };
}
