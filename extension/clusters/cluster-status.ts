/** The status bar text for the cluster connections (one item for all clusters). */
import type { ConnectionState } from "../ssh/connection";

export interface ClusterStatus {
  name: string;
  state: ConnectionState;
  /** The last failure, for the tooltip. */
  error?: string;
  retryInMs?: number;
}

export interface ClusterStatusPresentation {
  text: string;
  tooltip: string;
  isError: boolean;
  /** Hidden when no cluster is configured. */
  visible: boolean;
}

const ICONS: Record<ConnectionState, string> = {
  idle: "$(debug-disconnect)",
  connecting: "$(sync~spin)",
  connected: "$(vm-active)",
  disconnected: "$(vm-outline)",
  failed: "$(error)",
};

function describe(status: ClusterStatus): string {
  switch (status.state) {
    case "idle":
      return "not connected";
    case "connecting":
      return "connecting…";
    case "connected":
      return "connected";
    case "disconnected":
      return status.retryInMs === undefined
        ? "connection lost"
        : `connection lost, retrying in ${Math.ceil(status.retryInMs / 1000)} s`;
    case "failed":
      return "failed";
  }
}

export function presentClusterStatus(statuses: readonly ClusterStatus[]): ClusterStatusPresentation {
  if (statuses.length === 0) return { text: "", tooltip: "", isError: false, visible: false };
  const lines = statuses.map(
    (status) => `${status.name}: ${describe(status)}${status.error ? ` — ${status.error}` : ""}`,
  );
  const tooltip = `Thunder clusters (click to connect or disconnect)\n${lines.join("\n")}`;
  const isError = statuses.some((status) => status.state === "failed");
  if (statuses.length === 1) {
    const [only] = statuses;
    return { text: `${ICONS[only.state]} ${only.name}`, tooltip, isError, visible: true };
  }
  // Several clusters: the worst state decides the icon, the count says how many are up.
  const worst = (["failed", "disconnected", "connecting", "connected", "idle"] as const).find((state) =>
    statuses.some((status) => status.state === state),
  )!;
  const connected = statuses.filter((status) => status.state === "connected").length;
  return {
    text: `${ICONS[worst]} ${connected}/${statuses.length} clusters`,
    tooltip,
    isError,
    visible: true,
  };
}
