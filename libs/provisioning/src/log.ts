/** Receives one human-readable progress line at a time. */
export type ProvisioningLog = (line: string) => void;

/** Default sink: stderr, so progress never mixes with a tool's stdout output. */
export const logToStderr: ProvisioningLog = (line) => {
  process.stderr.write(`[provisioning] ${line}\n`);
};
