import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
/** V8's full garbage collection, without starting Node with --expose-gc (a new context sees the flag). */
export const collectGarbage = runInNewContext('gc') as () => void;
