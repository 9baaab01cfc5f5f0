import http from 'node:http';
import type { AddressInfo } from 'node:net';

// A tap between the sandbox and the API's webhooks: the sandbox's SANDBOX_CALLBACK_URL points
// here, every callback is recorded (raw body, parsed payload, the API's answer) and passed on
// unchanged, signature included. Tests then re-post recorded callbacks on purpose.

/** One callback the sandbox sent, as it went through the tap. */
export interface TappedCallback {
  topic: 'courier' | 'payment';
  /** The raw body, byte for byte. */
  body: string;
  payload: Record<string, unknown>;
  /** Status the API answered (0 when it could not be reached). */
  status: number;
  at: number;
}

export class CallbackTap {
  readonly records: TappedCallback[] = [];

  private constructor(
    private readonly server: http.Server,
    /** `http://127.0.0.1:<port>`: give it to the sandbox as SANDBOX_CALLBACK_URL. */
    readonly url: string,
    private readonly webhooksUrl: string,
  ) {}

  /** Listens on a free port and forwards `<url>/<topic>` to `<webhooksUrl>/<topic>`. */
  static async start(webhooksUrl: string): Promise<CallbackTap> {
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        void tap.forward(req, Buffer.concat(chunks).toString('utf8'), res);
      });
    });
    server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    // Requests only arrive once the sandbox knows the URL, i.e. after this line.
    const tap = new CallbackTap(server, `http://127.0.0.1:${port}`, webhooksUrl.replace(/\/+$/, ''));
    return tap;
  }

  /** Recorded callbacks the API accepted (2xx), optionally only those matching `where`. */
  delivered(where: (payload: Record<string, unknown>, topic: TappedCallback['topic']) => boolean = () => true): TappedCallback[] {
    return this.records.filter((r) => r.status >= 200 && r.status < 300 && where(r.payload, r.topic));
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async forward(req: http.IncomingMessage, body: string, res: http.ServerResponse): Promise<void> {
    const topic = (req.url ?? '').replace(/^\/+/, '') as TappedCallback['topic'];
    let payload: Record<string, unknown> = {};
    try {
      payload = JSON.parse(body) as Record<string, unknown>;
    } catch {
      // recorded as is
    }
    const record: TappedCallback = { topic, body, payload, status: 0, at: Date.now() };
    this.records.push(record);
    try {
      const answer = await fetch(`${this.webhooksUrl}/${topic}`, {
        method: 'POST',
        headers: { 'content-type': req.headers['content-type'] ?? 'application/json', 'x-signature': String(req.headers['x-signature'] ?? '') },
        body,
        signal: AbortSignal.timeout(10_000),
      });
      const text = await answer.text();
      record.status = answer.status;
      res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' }).end(text);
    } catch (error) {
      res.writeHead(502, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'tap_forward_failed', message: String(error) } }));
    }
  }
}
