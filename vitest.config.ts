import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The files that take longest, longest first: started early, they overlap the rest instead of running alone
 * at the end. vitest orders by the last run's durations only when it has them, which a fresh CI machine does
 * not; then it goes by file size. A file missing from the list just goes by vitest's own order.
 */
const LONGEST = [
  'test/e2e/silent-network.test.ts',
  'test/e2e/untrusted-runs.test.ts',
  'packages/core/test/clients/concurrency.test.ts',
  'test/e2e/renew-ado.test.ts',
  'test/e2e/renew-github.test.ts',
  'packages/core/test/clients/crash.test.ts',
  'test/e2e/renew-core.test.ts',
  'test/e2e/ado-task.test.ts',
  'test/e2e/parallel-credential-store.test.ts',
  'test/e2e/docker-daemon.test.ts',
  'test/e2e/proxy-squid.test.ts',
];

class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (spec: TestSpecification) => {
      const index = LONGEST.findIndex((path) => spec.moduleId.endsWith(`/${path}`));
      return index === -1 ? LONGEST.length : index;
    };
    // Array.prototype.sort is stable: the rest keep vitest's order.
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}

/** Removes what the file's tests made with test/support/temp-dirs.ts `tempDir`, after the file. */
const REMOVE_TEMP_DIRS = 'test/support/remove-temp-dirs.ts';

// Unit tests are fast tables; e2e tests start the emulator and real clients, so they get their own project.
export default defineConfig({
  test: {
    // vitest's default is one worker fewer than the cores: one on a 2-core CI machine, so every file ran
    // after the last. The slow e2e files mostly wait (network timeouts, token lifetimes), and each has its
    // own emulator, ports, HOME, temp dirs and dockerd, so four files at a time overlap their waits. Both
    // projects share the pool: the unit files fill the cores while e2e files wait.
    maxWorkers: 4,
    sequence: { sequencer: LongestFirst },
    projects: [
      {
        test: {
          name: 'unit',
          include: ['packages/*/test/**/*.test.ts', 'test/unit/**/*.test.ts'],
          pool: 'forks',
          setupFiles: [REMOVE_TEMP_DIRS],
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts', 'test/emulator/**/*.test.ts'],
          pool: 'forks',
          setupFiles: [REMOVE_TEMP_DIRS],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
