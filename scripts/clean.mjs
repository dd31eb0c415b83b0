// Removes dist before a build, so nothing a past build left (a moved or deleted module) ships.
import { rmSync } from 'node:fs';

rmSync('dist', { recursive: true, force: true });
