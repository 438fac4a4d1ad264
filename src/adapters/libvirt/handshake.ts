/** The opening of a libvirt connection: AUTH_LIST (none or polkit), CONNECT_OPEN, keepalive feature. */
import { VirtpointError } from '../../core/errors.js';
import { DrvFeature, RemoteProc } from './procedures.js';
import { XdrReader, XdrWriter } from './xdr.js';

const AUTH_NONE = 0;
const AUTH_POLKIT = 2;
const REMOTE_PROC_AUTH_POLKIT = 70;

/** One remote-program call with its own timeout (the connection's `call`). */
export type HandshakeCall = (
  proc: number,
  args: XdrWriter | null,
  opts: { readonly timeoutMs: number },
) => Promise<Buffer>;

export async function handshake(call: HandshakeCall, uri: string, timeoutMs: number): Promise<void> {
  const authBody = await call(RemoteProc.AUTH_LIST, null, { timeoutMs });
  const types = new XdrReader(authBody).array((r) => r.int(), 20);
  if (types.length > 0 && !types.includes(AUTH_NONE)) {
    if (types.includes(AUTH_POLKIT)) {
      await call(REMOTE_PROC_AUTH_POLKIT, null, { timeoutMs });
    } else {
      throw new VirtpointError(
        'PERMISSION_DENIED',
        `libvirtd requires an authentication method we do not support (types ${types.join(',')})`,
      );
    }
  }
  await call(RemoteProc.CONNECT_OPEN, new XdrWriter().optString(uri).uint(0), { timeoutMs });
  // Ask the server to run keepalive for us; an old server may say no, which is fine.
  const ka = await call(
    RemoteProc.CONNECT_SUPPORTS_FEATURE,
    new XdrWriter().int(DrvFeature.PROGRAM_KEEPALIVE),
    {
      timeoutMs,
    },
  );
  new XdrReader(ka).int();
}
