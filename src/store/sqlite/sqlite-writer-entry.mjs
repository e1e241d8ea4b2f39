// Entry of the SQLite writer thread when Kassa runs from its TypeScript source (npm start, tests):
// worker threads do not inherit the tsx loader of the main thread, so register it here first.
import { register } from 'tsx/esm/api';

register();
await import('./sqlite-writer.ts');
