import { readFileSync } from 'node:fs';
import os from 'node:os';

/** Every test user logs in with this password (static passdb). */
export const DOVECOT_PASSWORD = 'secret';

/** Where the throwaway server keeps everything; all paths live under `root`. */
export interface DovecotLayout {
  root: string;
  configPath: string;
  baseDir: string;
  stateDir: string;
  mailRoot: string;
  logPath: string;
}

/** Who the server's processes run as. */
export interface DovecotAccounts {
  /** uid/gid every mailbox is owned by (the static userdb). Never 0: Dovecot refuses root mail users. */
  mailUid: number;
  mailGid: number;
  internalUser: string;
  loginUser: string;
  /** Group of the internal services' sockets; only set when not root (Dovecot's default is `dovecot`). */
  internalGroup?: string;
  /** chroot needs root; a non-root Dovecot must run its login and anvil services unchrooted. */
  chroot: boolean;
}

export function dovecotLayout(root: string): DovecotLayout {
  return {
    root,
    configPath: `${root}/dovecot.conf`,
    baseDir: `${root}/run`,
    stateDir: `${root}/state`,
    mailRoot: `${root}/mail`,
    logPath: `${root}/dovecot.log`,
  };
}

/**
 * As root (this sandbox, most CI containers) mail is owned by nobody (65534) and the
 * internal/login services use Debian's `dovecot`/`dovenull` accounts when present.
 * As any other user everything runs as that user, which Dovecot supports with chroot off.
 */
export function dovecotAccounts(): DovecotAccounts {
  const uid = process.getuid?.() ?? 0;
  if (uid !== 0) {
    const me = os.userInfo();
    return {
      mailUid: me.uid,
      mailGid: me.gid,
      internalUser: me.username,
      loginUser: me.username,
      internalGroup: groupName(me.gid),
      chroot: false,
    };
  }
  const accounts = namesIn('/etc/passwd');
  const pick = (...names: string[]): string => names.find((name) => accounts.has(name)) ?? 'nobody';
  return {
    mailUid: 65534,
    mailGid: 65534,
    internalUser: pick('dovecot', 'nobody'),
    loginUser: pick('dovenull', 'nobody'),
    chroot: true,
  };
}

/** Account names in /etc/passwd or /etc/group (name:x:id:...). */
function namesIn(file: string): Set<string> {
  return new Set(databaseRows(file).map((row) => row[0] ?? '').filter(Boolean));
}

function groupName(gid: number): string | undefined {
  return databaseRows('/etc/group').find((row) => row[2] === String(gid))?.[0];
}

function databaseRows(file: string): string[][] {
  try {
    return readFileSync(file, 'utf8')
      .split('\n')
      .map((line) => line.split(':'));
  } catch {
    return [];
  }
}

/** Renders a self-contained dovecot.conf (no includes from /etc/dovecot). */
export function renderDovecotConf(layout: DovecotLayout, accounts: DovecotAccounts, port: number): string {
  const noChroot = accounts.chroot ? '' : '  chroot =\n';
  const anvilChroot = accounts.chroot ? '' : '  chroot =\n';
  const internalGroup = accounts.internalGroup ? `default_internal_group = ${accounts.internalGroup}\n` : '';
  return `# Throwaway Dovecot for tests, written by test/support/dovecot.ts
protocols = imap
listen = 127.0.0.1
base_dir = ${layout.baseDir}
state_dir = ${layout.stateDir}
log_path = ${layout.logPath}
info_log_path = ${layout.logPath}
debug_log_path = ${layout.logPath}

ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
# A wrong password answers at once instead of after the default 2 s.
auth_failure_delay = 0

default_internal_user = ${accounts.internalUser}
default_login_user = ${accounts.loginUser}
${internalGroup}first_valid_uid = 1

mail_location = maildir:${layout.mailRoot}/%u
recipient_delimiter = +
mail_fsync = never
# inotify normally wakes IDLE at once; this is the fallback poll when it cannot.
mailbox_idle_check_interval = 1 secs

passdb {
  driver = static
  args = password=${DOVECOT_PASSWORD}
}
userdb {
  driver = static
  args = uid=${accounts.mailUid} gid=${accounts.mailGid} home=${layout.mailRoot}/%u
}

service imap-login {
${noChroot}  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
# After a failed login anvil delays every later login from the same IP (all tests share
# 127.0.0.1) by up to 15 s; a listener nobody may open switches that penalty off.
service anvil {
${anvilChroot}  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
`;
}
