/** What /healthz and /readyz report. */
export interface HealthSource {
  /** Liveness: false only when the engine has failed and will not recover. */
  live(): boolean;
  /** Readiness, with the reason when not ready. */
  ready(): { ready: boolean; reason?: string };
}
