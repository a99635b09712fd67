// Proves the module-boundary rule has teeth: each forbidden import below must be reported,
// and the allowed one must not. Runs the real ESLint CLI on virtual files placed in projects.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const workspaceRoot = join(__dirname, '..', '..');

interface LintMessage {
  ruleId: string | null;
  message: string;
}

function lintAs(filePath: string, source: string): LintMessage[] {
  const result = spawnSync(
    join(workspaceRoot, 'node_modules', '.bin', 'eslint'),
    ['--format', 'json', '--stdin', '--stdin-filename', filePath],
    { cwd: workspaceRoot, input: source, encoding: 'utf8', env: { ...process.env, NX_DAEMON: 'false' } },
  );
  if (!result.stdout) throw new Error(`eslint produced no output: ${result.stderr}`);
  const [report] = JSON.parse(result.stdout) as { messages: LintMessage[] }[];
  return report.messages.filter((m) => m.ruleId === '@nx/enforce-module-boundaries');
}

describe('module boundaries', () => {
  jest.setTimeout(120000);

  beforeAll(() => {
    // The rule skips itself without a cached project graph (e.g. on a fresh clone).
    const graph = spawnSync(join(workspaceRoot, 'node_modules', '.bin', 'nx'), ['show', 'projects'], {
      cwd: workspaceRoot,
      encoding: 'utf8',
      env: { ...process.env, NX_DAEMON: 'false' },
    });
    if (graph.status !== 0) throw new Error(`nx could not compute the project graph: ${graph.stderr}`);
  });

  it('rejects an app importing another app', () => {
    const messages = lintAs(
      'apps/ingest/src/cross-app-import.ts',
      "import { scoringService } from '../../scoring/src/scoring.service';\nexport const leaked = scoringService;\n",
    );
    expect(messages.length).toBeGreaterThan(0);
  });

  it('rejects contracts importing another Vigie library or a framework', () => {
    expect(lintAs('libs/contracts/src/lib/bad.ts', "import { Outbox } from '@vigie/messaging';\nexport const o = Outbox;\n")).not.toHaveLength(0);
    const framework = lintAs('libs/contracts/src/lib/bad.ts', "import { Injectable } from '@nestjs/common';\nexport const i = Injectable;\n");
    expect(framework.map((m) => m.message).join('\n')).toMatch(/@nestjs\/common/);
  });

  it('rejects production code using the test harness, but allows it in specs', () => {
    const source = "import { describeServiceLifecycle } from '@vigie/testing/service-lifecycle';\nexport const d = describeServiceLifecycle;\n";
    expect(lintAs('apps/audit/src/uses-harness.ts', source)).not.toHaveLength(0);
    expect(lintAs('apps/audit/src/uses-harness.int-spec.ts', source)).toHaveLength(0);
  });

  it('allows an app to use the shared platform and contracts', () => {
    const source = "import { runService } from '@vigie/service-kit';\nimport { Topics } from '@vigie/contracts';\nexport const x = [runService, Topics];\n";
    expect(lintAs('apps/audit/src/allowed.ts', source)).toHaveLength(0);
  });
});
