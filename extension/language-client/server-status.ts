/** What the status bar says about the language server, per client state (kept free of `vscode`). */

export type ServerState = "starting" | "running" | "stopped" | "failed";

export interface StatusPresentation {
  text: string;
  tooltip: string;
  /** Errors get the status bar's error colour. */
  isError: boolean;
}

export function presentServerState(state: ServerState): StatusPresentation {
  switch (state) {
    case "starting":
      return { text: "$(sync~spin) Thunder", tooltip: "Thunder language server is starting", isError: false };
    case "running":
      return { text: "$(zap) Thunder", tooltip: "Thunder language server is running", isError: false };
    case "stopped":
      return {
        text: "$(circle-slash) Thunder",
        tooltip: "Thunder language server is stopped. Run 'Thunder: Restart Language Server' to start it.",
        isError: false,
      };
    case "failed":
      return {
        text: "$(error) Thunder",
        tooltip: "Thunder language server stopped after repeated crashes. Click to see the log.",
        isError: true,
      };
  }
}
