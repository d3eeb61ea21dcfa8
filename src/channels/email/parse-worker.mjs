// Entry of the email parse worker threads (piscina). Worker threads start without the
// TypeScript loader the main thread has (tsx, or vitest's transform), so register tsx here,
// then load the task itself.
import { register } from 'tsx/esm/api';

register();
const { parseMessage } = await import('./parse.ts');

export default parseMessage;
