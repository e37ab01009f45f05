#!/usr/bin/env node
// The CLI runs from the same bundle as the actions (dist/), so an installed sandboxer needs no TypeScript tooling.
import { runCliMain } from '../dist/index.js';

await runCliMain();
