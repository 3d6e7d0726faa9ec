#!/usr/bin/env node
// The kupgrade command: the TypeScript CLI run through tsx's loader, so a checkout needs no build step
// (npm ci runs no install scripts). Symlinked onto the PATH, it still finds the checkout (Node resolves the link).
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
