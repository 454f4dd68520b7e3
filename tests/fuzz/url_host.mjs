// The URL Standard's reading of each hex-encoded URL on stdin, as
// url_host.cpp prints its own: `ip <host>`, `domain <host>` or `error`.
import { createInterface } from "node:readline";

const lines = createInterface({ input: process.stdin });
const out = [];
for await (const hex of lines) {
  const text = Buffer.from(hex, "hex").toString("utf8");
  try {
    const host = new URL(text).hostname;
    const ip = /^\d+\.\d+\.\d+\.\d+$/.test(host) || host.startsWith("[");
    out.push(`${ip ? "ip" : "domain"} ${host}`);
  } catch {
    out.push("error");
  }
}
process.stdout.write(out.join("\n") + "\n");
