#!/usr/bin/env node
// Entry for `npx switchboard ...`: the CLI from the build `npm start` runs (scripts/build.mjs),
// made first when the sources changed.
import { builtEntry } from '../scripts/build.mjs';

await import(await builtEntry('cli'));
