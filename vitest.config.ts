import { defineConfig } from 'vitest/config';

// Unit tests are fast tables; e2e tests start the emulator and real clients, so they get their own project.
export default defineConfig({
  test: {
    // vitest's default is one worker fewer than the cores: one on a 2-core CI machine, so every file ran
    // after the last. The slow e2e files mostly wait (network timeouts, token lifetimes), and each has its
    // own emulator, ports, HOME, temp dirs and dockerd, so four files at a time overlap their waits. Both
    // projects share the pool: the unit files fill the cores while e2e files wait.
    maxWorkers: 4,
    projects: [
      {
        test: {
          name: 'unit',
          include: ['packages/*/test/**/*.test.ts', 'test/unit/**/*.test.ts'],
          pool: 'forks',
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts', 'test/emulator/**/*.test.ts'],
          pool: 'forks',
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
