import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { startScriptNodeOptions } from '../support/server-process';

// No Docker engine runs the files in docker/ during tests, so this suite keeps
// them consistent with the code they describe: variable names, brokers,
// metric names, tables, ports and paths are all read from the real sources.

const ROOT = path.resolve(__dirname, '../..');
const DOCKER_DIR = path.join(ROOT, 'docker');
const dashboardPath = 'docker/grafana/dashboards/reddit-analytics.json';

function read(relative: string): string {
  return readFileSync(path.join(ROOT, relative), 'utf8');
}

function readYaml<T>(relative: string): T {
  // Compose files use merge keys (<<: *anchor) for the shared broker settings.
  return parse(read(relative), { merge: true }) as T;
}

type EnvValue = string | number | boolean | null;

interface ComposeService {
  image?: string;
  build?: { context?: string; dockerfile?: string };
  environment?: Record<string, EnvValue>;
  ports?: (string | number)[];
  volumes?: string[];
  depends_on?: Record<string, { condition?: string }>;
  healthcheck?: { test?: string | string[] };
}

interface ComposeFile {
  version?: unknown;
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

interface ScrapeConfig {
  job_name: string;
  scrape_interval?: string;
  metrics_path?: string;
  static_configs?: { targets: string[] }[];
}

interface Datasource {
  name: string;
  uid: string;
  type: string;
  url: string;
  user?: string;
  jsonData?: { database?: string };
}

interface DashboardTarget {
  datasource?: { type: string; uid: string };
  expr?: string;
  rawSql?: string;
}

interface DashboardPanel {
  id: number;
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: DashboardTarget[];
  panels?: DashboardPanel[];
}

interface Dashboard {
  uid: string;
  panels: DashboardPanel[];
  templating: { list: { name: string; datasource?: { uid: string }; query: string }[] };
}

const compose = readYaml<ComposeFile>('docker/compose.yml');

function service(name: string): ComposeService {
  const found = compose.services[name];
  if (found === undefined) throw new Error(`docker/compose.yml has no service "${name}"`);
  return found;
}

function environment(name: string): Record<string, string> {
  return Object.fromEntries(
    Object.entries(service(name).environment ?? {}).map(([key, value]) => [key, String(value)]),
  );
}

function envVar(serviceName: string, variable: string): string {
  const value = environment(serviceName)[variable];
  if (value === undefined) throw new Error(`${serviceName} does not set ${variable}`);
  return value;
}

/** Resolves `${NAME:-default}` the way Compose does when NAME is unset. */
function withComposeDefaults(value: string): string {
  return value.replace(/\$\{[A-Z0-9_]+:-([^}]*)\}/g, '$1');
}

/** Short-syntax port mappings `[ip:]host:container[/proto]`. */
function publishedPorts(serviceName: string): { host: number | null; container: number }[] {
  return (service(serviceName).ports ?? []).map((entry) => {
    const parts = String(entry)
      .replace(/\/(tcp|udp)$/, '')
      .split(':');
    const container = Number(parts[parts.length - 1]);
    const host = parts.length >= 2 ? Number(parts[parts.length - 2]) : null;
    return { host, container };
  });
}

/** `NAME://host:port,...` -> listener name -> host and port. */
function listeners(value: string): Map<string, { host: string; port: number }> {
  const result = new Map<string, { host: string; port: number }>();
  for (const entry of value.split(',')) {
    const match = /^([A-Z_]+):\/\/([^:]*):(\d+)$/.exec(entry.trim());
    if (match === null) throw new Error(`cannot parse listener "${entry}"`);
    result.set(match[1]!, { host: match[2]!, port: Number(match[3]) });
  }
  return result;
}

function listener(serviceName: string, variable: string, name: string) {
  const found = listeners(envVar(serviceName, variable)).get(name);
  if (found === undefined) throw new Error(`${serviceName} ${variable} has no ${name} listener`);
  return found;
}

function hostPort(value: string): { host: string; port: number } {
  const match = /^([A-Za-z0-9.-]+):(\d+)$/.exec(value.trim());
  if (match === null) throw new Error(`"${value}" is not host:port`);
  return { host: match[1]!, port: Number(match[2]) };
}

const kafkaServices = Object.keys(compose.services)
  .filter((name) => /^kafka-\d+$/.test(name))
  .sort();

describe('docker/compose.yml', () => {
  it('is a Compose spec file (no version key) with every service of the system', () => {
    expect(compose.version).toBeUndefined();
    expect(kafkaServices).toEqual(['kafka-1', 'kafka-2', 'kafka-3']);
    expect(Object.keys(compose.services).sort()).toEqual(
      [...kafkaServices, 'app', 'cassandra', 'grafana', 'kafdrop', 'postgres', 'prometheus'].sort(),
    );
  });

  it('runs three combined KRaft nodes that form one quorum', () => {
    const nodeIds = kafkaServices.map((name) => envVar(name, 'KAFKA_NODE_ID'));
    expect(new Set(nodeIds)).toEqual(new Set(['1', '2', '3']));

    const clusterIds = new Set(kafkaServices.map((name) => envVar(name, 'CLUSTER_ID')));
    expect(clusterIds.size).toBe(1);
    expect([...clusterIds][0]).toMatch(/^[A-Za-z0-9_-]{22}$/);

    // Every node must list every node as a voter, at that node's controller listener.
    const expectedVoters = kafkaServices
      .map((name) => {
        const controllerName = envVar(name, 'KAFKA_CONTROLLER_LISTENER_NAMES');
        const { port } = listener(name, 'KAFKA_LISTENERS', controllerName);
        return `${envVar(name, 'KAFKA_NODE_ID')}@${name}:${port}`;
      })
      .sort();
    for (const name of kafkaServices) {
      expect(service(name).image).toBe('apache/kafka:3.9.2');
      expect(envVar(name, 'KAFKA_PROCESS_ROLES').split(',').sort()).toEqual([
        'broker',
        'controller',
      ]);
      expect(envVar(name, 'KAFKA_CONTROLLER_QUORUM_VOTERS').split(',').sort()).toEqual(
        expectedVoters,
      );
      const protocolMap = new Set(
        envVar(name, 'KAFKA_LISTENER_SECURITY_PROTOCOL_MAP')
          .split(',')
          .map((pair) => pair.split(':')[0]),
      );
      for (const listenerName of listeners(envVar(name, 'KAFKA_LISTENERS')).keys()) {
        expect(protocolMap).toContain(listenerName);
      }
      // The controller listener is never advertised to clients.
      expect([...listeners(envVar(name, 'KAFKA_ADVERTISED_LISTENERS')).keys()]).not.toContain(
        envVar(name, 'KAFKA_CONTROLLER_LISTENER_NAMES'),
      );
      expect(envVar(name, 'KAFKA_AUTO_CREATE_TOPICS_ENABLE')).toBe('false');
      expect(envVar(name, 'KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR')).toBe('3');
      expect(envVar(name, 'KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR')).toBe('3');
      expect(envVar(name, 'KAFKA_TRANSACTION_STATE_LOG_MIN_ISR')).toBe('2');
    }
  });

  it("publishes the brokers on the host ports of scripts/stack.sh's 3-broker mode", () => {
    const stack = read('scripts/stack.sh');
    const firstPort = /^KAFKA_PORT=\$\{KAFKA_PORT:-(\d+)\}$/m.exec(stack);
    const stride =
      /kafka_port\(\) \{ printf '%s' \$\(\(KAFKA_PORT \+ (\d+) \* \(\$1 - 1\)\)\); \}/.exec(stack);
    expect(firstPort).not.toBeNull();
    expect(stride).not.toBeNull();
    const stackPorts = [1, 2, 3].map((n) => Number(firstPort![1]) + Number(stride![1]) * (n - 1));
    expect(stackPorts).toEqual([9092, 9094, 9096]);

    kafkaServices.forEach((name, index) => {
      const external = listener(name, 'KAFKA_ADVERTISED_LISTENERS', 'EXTERNAL');
      expect(['127.0.0.1', 'localhost']).toContain(external.host);
      expect(external.port).toBe(stackPorts[index]);
      expect(listener(name, 'KAFKA_LISTENERS', 'EXTERNAL').port).toBe(external.port);
      expect(publishedPorts(name)).toEqual([{ host: external.port, container: external.port }]);
    });
  });

  it('gives the app only variables that .env.example documents, and every required one', () => {
    const documented = new Set(
      read('.env.example')
        .split('\n')
        .map((line) => /^\s*#?\s*([A-Z][A-Z0-9_]*)=/.exec(line)?.[1])
        .filter((name): name is string => name !== undefined),
    );
    const appVariables = Object.keys(environment('app'));
    expect(appVariables.length).toBeGreaterThan(0);
    for (const variable of appVariables) expect(documented).toContain(variable);
    for (const required of ['KAFKA_BROKERS', 'CASSANDRA_CONTACT_POINTS', 'WAREHOUSE_URL']) {
      expect(appVariables).toContain(required);
    }
    expect(envVar('app', 'NODE_ENV')).toBe('production');
    expect(envVar('app', 'LOG_FORMAT')).toBe('json');
    expect(envVar('app', 'KAFKA_REPLICATION_FACTOR')).toBe(String(kafkaServices.length));
  });

  it("points the app and Kafdrop at every broker's internal listener", () => {
    const brokers = envVar('app', 'KAFKA_BROKERS').split(',').map(hostPort);
    expect(brokers.map((broker) => broker.host).sort()).toEqual(kafkaServices);
    for (const broker of brokers) {
      const internalName = envVar(broker.host, 'KAFKA_INTER_BROKER_LISTENER_NAME');
      expect(listener(broker.host, 'KAFKA_LISTENERS', internalName).port).toBe(broker.port);
      expect(listener(broker.host, 'KAFKA_ADVERTISED_LISTENERS', internalName)).toEqual(broker);
    }
    expect(envVar('kafdrop', 'KAFKA_BROKERCONNECT').split(',').sort()).toEqual(
      envVar('app', 'KAFKA_BROKERS').split(',').sort(),
    );
  });

  it('points the app at the Cassandra and PostgreSQL services', () => {
    const cassandra = hostPort(envVar('app', 'CASSANDRA_CONTACT_POINTS'));
    expect(cassandra).toEqual({ host: 'cassandra', port: 9042 });
    expect(publishedPorts('cassandra').map((p) => p.container)).toContain(cassandra.port);
    expect(envVar('app', 'CASSANDRA_LOCAL_DATACENTER')).toBe(envVar('cassandra', 'CASSANDRA_DC'));

    const warehouse = new URL(withComposeDefaults(envVar('app', 'WAREHOUSE_URL')));
    expect(warehouse.protocol).toBe('postgres:');
    expect(warehouse.hostname).toBe('postgres');
    expect(publishedPorts('postgres').map((p) => p.container)).toContain(Number(warehouse.port));
    expect(warehouse.pathname).toBe(`/${envVar('postgres', 'POSTGRES_DB')}`);
    expect(warehouse.username).toBe(envVar('postgres', 'POSTGRES_USER'));
    expect(warehouse.password).toBe(withComposeDefaults(envVar('postgres', 'POSTGRES_PASSWORD')));
  });

  it('names only the default topics of env.schema.ts', () => {
    const schema = read('src/config/env.schema.ts');
    const defaults = new Map(
      [...schema.matchAll(/readonly (KAFKA_\w+_TOPIC): string = '([^']+)'/g)].map((m) => [
        m[1]!,
        m[2]!,
      ]),
    );
    expect([...defaults.keys()].sort()).toEqual([
      'KAFKA_DEAD_LETTER_TOPIC',
      'KAFKA_EVENTS_TOPIC',
      'KAFKA_LATE_EVENTS_TOPIC',
      'KAFKA_TRENDS_TOPIC',
      'KAFKA_TREND_MINUTES_TOPIC',
      'KAFKA_WINDOWS_TOPIC',
    ]);
    for (const [variable, topic] of defaults) {
      const set = environment('app')[variable];
      if (set !== undefined) expect(set).toBe(topic);
    }
    // Comments, README and dashboard titles mention topics too.
    for (const file of ['docker/compose.yml', 'docker/README.md', dashboardPath]) {
      const mentioned = read(file).match(/\breddit\.[a-z][a-z.-]*[a-z]/g) ?? [];
      for (const topic of mentioned) expect([...defaults.values()]).toContain(topic);
    }
  });

  it('starts the app only once Kafka, Cassandra and PostgreSQL are healthy', () => {
    const dependsOn = service('app').depends_on ?? {};
    for (const dependency of [...kafkaServices, 'cassandra', 'postgres']) {
      expect(dependsOn[dependency]?.condition).toBe('service_healthy');
      expect(service(dependency).healthcheck?.test).toBeDefined();
    }
  });

  it('builds the app from docker/Dockerfile with the repository root as context', () => {
    const build = service('app').build;
    const context = path.resolve(DOCKER_DIR, build?.context ?? '.');
    expect(context).toBe(ROOT);
    expect(path.resolve(context, build?.dockerfile ?? 'Dockerfile')).toBe(
      path.join(DOCKER_DIR, 'Dockerfile'),
    );
  });

  it('mounts files that exist and declares every named volume', () => {
    const declared = Object.keys(compose.volumes ?? {});
    for (const [name, definition] of Object.entries(compose.services)) {
      for (const volume of definition.volumes ?? []) {
        const source = volume.split(':')[0]!;
        if (source.startsWith('.')) {
          expect({ name, exists: existsSync(path.resolve(DOCKER_DIR, source)) }).toEqual({
            name,
            exists: true,
          });
        } else {
          expect(declared).toContain(source);
        }
      }
    }
  });
});

describe('docker/Dockerfile', () => {
  const instructions = read('docker/Dockerfile')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = /^([A-Z]+)\s+(.*)$/.exec(line);
      if (match === null) throw new Error(`cannot parse Dockerfile line "${line}"`);
      return { keyword: match[1]!, args: match[2]! };
    });
  const lastFrom = instructions.map((i) => i.keyword).lastIndexOf('FROM');
  const runtime = instructions.slice(lastFrom);
  const argsOf = (stage: typeof instructions, keyword: string) =>
    stage.filter((i) => i.keyword === keyword).map((i) => i.args);

  it('builds with npm ci and npm run build on node:20-bookworm-slim', () => {
    expect(argsOf(instructions, 'ARG')).toContain('NODE_IMAGE=node:20-bookworm-slim');
    expect(argsOf(instructions, 'FROM').every((from) => from.startsWith('${NODE_IMAGE}'))).toBe(
      true,
    );
    const buildSteps = argsOf(instructions.slice(0, lastFrom), 'RUN');
    expect(buildSteps.some((run) => /\bnpm ci\b/.test(run))).toBe(true);
    expect(buildSteps).toContain('npm run build');
    const scripts = (JSON.parse(read('package.json')) as { scripts?: Record<string, string> })
      .scripts;
    expect(scripts?.build).toEqual(expect.any(String));
  });

  it('runs dist/main.js as a non-root user with production dependencies only', () => {
    expect(argsOf(runtime, 'RUN').some((run) => /\bnpm ci --omit=dev\b/.test(run))).toBe(true);
    expect(argsOf(runtime, 'COPY')).toContain('--from=build /app/dist ./dist');
    const user = argsOf(runtime, 'USER').pop();
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user);
    expect(argsOf(runtime, 'EXPOSE')).toEqual([envVar('app', 'PORT')]);
    expect(JSON.parse(argsOf(runtime, 'CMD').pop() ?? 'null')).toEqual([
      'node',
      ...startScriptNodeOptions(),
      'dist/main.js',
    ]);
    expect(argsOf(runtime, 'HEALTHCHECK').pop()).toMatch(/\/health\b/);
  });

  it('bounds the heap the same way as npm start and scripts/run.sh', () => {
    const options = startScriptNodeOptions();
    expect(options).toEqual([expect.stringMatching(/^--max-old-space-size=\d+$/)]);
    expect(read('scripts/run.sh')).toContain(`node ${options.join(' ')} dist/main.js &`);
  });

  it('copies only files that exist and that the build context keeps', () => {
    const ignored = read('docker/Dockerfile.dockerignore')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'));
    for (const excluded of ['node_modules', 'dist', '.stack', '.git']) {
      expect(ignored).toContain(excluded);
    }
    const sources = argsOf(instructions, 'COPY')
      .filter((args) => !args.startsWith('--from'))
      .flatMap((args) => args.split(/\s+/).slice(0, -1));
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) {
      expect({ source, exists: existsSync(path.join(ROOT, source)) }).toEqual({
        source,
        exists: true,
      });
      expect(ignored).not.toContain(source);
    }
  });
});

describe('docker/prometheus/prometheus.yml', () => {
  const config = readYaml<{ scrape_configs: ScrapeConfig[] }>('docker/prometheus/prometheus.yml');

  it('scrapes the app service every 5s under the job name scripts/stack.sh uses', () => {
    const stackJob = /job_name: ([\w-]+)/.exec(read('scripts/stack.sh'))?.[1];
    expect(stackJob).toBe('reddit-analytics');
    const job = config.scrape_configs.find((c) => c.job_name === stackJob);
    expect(job).toBeDefined();
    expect(job?.scrape_interval).toBe('5s');
    expect(job?.metrics_path ?? '/metrics').toBe('/metrics');
    const targets = (job?.static_configs ?? []).flatMap((c) => c.targets).map(hostPort);
    expect(targets).toEqual([{ host: 'app', port: 3000 }]);
    expect(envVar('app', 'PORT')).toBe('3000');
    expect(publishedPorts('app')).toContainEqual({ host: 3000, container: 3000 });
  });

  it('is the file the prometheus service mounts', () => {
    expect(service('prometheus').volumes).toContain(
      './prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro',
    );
  });
});

describe('Grafana provisioning and dashboard', () => {
  const { datasources } = readYaml<{ datasources: Datasource[] }>(
    'docker/grafana/provisioning/datasources/datasources.yml',
  );
  const { providers } = readYaml<{ providers: { options: { path: string } }[] }>(
    'docker/grafana/provisioning/dashboards/dashboards.yml',
  );
  const dashboard = JSON.parse(read(dashboardPath)) as Dashboard;
  const panels = dashboard.panels.flatMap((panel) => [panel, ...(panel.panels ?? [])]);
  const targets = panels.flatMap((panel) =>
    (panel.targets ?? []).map((target) => ({
      panel: panel.title,
      datasource: target.datasource ?? panel.datasource,
      expr: target.expr,
      rawSql: target.rawSql,
    })),
  );
  const datasourceOfType = (type: string): Datasource => {
    const found = datasources.filter((d) => d.type === type);
    expect(found).toHaveLength(1);
    return found[0]!;
  };
  const prometheus = datasourceOfType('prometheus');
  const warehouse = datasourceOfType('grafana-postgresql-datasource');
  const promQueries = targets.filter((t) => t.datasource?.uid === prometheus.uid);
  const sqlQueries = targets.filter((t) => t.datasource?.uid === warehouse.uid);

  it('provisions data sources that reach the prometheus and postgres services', () => {
    const promUrl = new URL(prometheus.url);
    expect(promUrl.hostname).toBe('prometheus');
    expect(publishedPorts('prometheus').map((p) => p.container)).toContain(Number(promUrl.port));
    expect(hostPort(warehouse.url)).toEqual({ host: 'postgres', port: 5432 });
    expect(warehouse.jsonData?.database).toBe(envVar('postgres', 'POSTGRES_DB'));
    expect(warehouse.user).toBe(envVar('postgres', 'POSTGRES_USER'));
  });

  it('loads dashboards from where compose mounts docker/grafana/dashboards', () => {
    const mounts = new Map(
      (service('grafana').volumes ?? []).map((v) => [v.split(':')[0]!, v.split(':')[1]!]),
    );
    expect(providers.map((p) => p.options.path)).toEqual([mounts.get('./grafana/dashboards')]);
    expect(mounts.get('./grafana/provisioning')).toBe('/etc/grafana/provisioning');
    expect(existsSync(path.join(ROOT, dashboardPath))).toBe(true);
  });

  it('shows batch-size quantiles as whole counts and dead letters per reason from a zero start', () => {
    const batchQuantiles = promQueries.filter(
      (t) => t.expr?.includes('reddit_consumer_batch_size_bucket') ?? false,
    );
    expect(batchQuantiles.length).toBeGreaterThan(0);
    for (const query of batchQuantiles) expect(query.expr).toMatch(/^ceil\(histogram_quantile\(/);
    // The per-reason panel relies on the server exporting every reason at 0 (MetricsService).
    const perReason = promQueries.filter(
      (t) =>
        t.expr?.includes('sum by (reason) (increase(reddit_events_dead_lettered_total') ?? false,
    );
    expect(perReason).toHaveLength(1);
  });

  it('is a well-formed dashboard whose queries use the provisioned data sources', () => {
    expect(dashboard.uid).toBe('reddit-analytics');
    const ids = panels.map((panel) => panel.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const panel of panels) expect(panel.gridPos.x + panel.gridPos.w).toBeLessThanOrEqual(24);
    expect(targets.length).toBeGreaterThan(0);
    for (const target of targets) {
      expect([prometheus.uid, warehouse.uid]).toContain(target.datasource?.uid);
    }
    expect(promQueries.every((t) => typeof t.expr === 'string')).toBe(true);
    expect(sqlQueries.every((t) => typeof t.rawSql === 'string')).toBe(true);
  });

  it('queries only metrics that src/metrics/metrics.service.ts registers', () => {
    const registered = new Set(
      [...read('src/metrics/metrics.service.ts').matchAll(/name: '([a-z_:]+)'/g)].map((m) => m[1]),
    );
    const used = new Set(
      promQueries.flatMap((t) =>
        (t.expr!.match(/reddit_[a-z_]+/g) ?? []).map((name) =>
          name.replace(/_(bucket|sum|count)$/, ''),
        ),
      ),
    );
    for (const metric of used) expect(registered).toContain(metric);
    for (const required of [
      'reddit_events_produced_total',
      'reddit_events_consumed_total',
      'reddit_events_dead_lettered_total',
      'reddit_windows_written_total',
      'reddit_consumer_batch_size',
      'reddit_batch_stage_seconds',
      'reddit_streams_active',
      'reddit_event_sentiment',
    ]) {
      expect(used).toContain(required);
    }
  });

  it("filters process metrics to the app's job (Prometheus also scrapes itself)", () => {
    const processQueries = promQueries.filter((t) => /\b(process|nodejs)_/.test(t.expr!));
    expect(processQueries.length).toBeGreaterThan(0);
    for (const query of processQueries) expect(query.expr).toContain('job="reddit-analytics"');
  });

  it('reads the warehouse tables the migrations create: 1-minute windows and trends', () => {
    const migrations = read('src/storage/warehouse/warehouse-migrations.ts');
    expect(migrations).toMatch(/CREATE TABLE IF NOT EXISTS \$\{s\}\.fact_windows \(/);
    expect(migrations).toMatch(/CREATE TABLE IF NOT EXISTS \$\{s\}\.fact_trends \(/);
    expect(read('src/config/env.schema.ts')).toMatch(/WINDOW_SPECS: string = '1m[,']/);
    const windowQueries = sqlQueries.filter((q) => /\bfact_windows\b/.test(q.rawSql!));
    const trendQueries = sqlQueries.filter((q) => /\bfact_trends\b/.test(q.rawSql!));
    expect(windowQueries.length).toBeGreaterThan(0);
    expect(trendQueries.length).toBeGreaterThan(0);
    expect(windowQueries.length + trendQueries.length).toBe(sqlQueries.length);
    for (const query of windowQueries) expect(query.rawSql).toContain("window_spec = '1m'");
    // Both trend panels: rising terms, and mood shifts with bursts.
    expect(trendQueries.some((q) => q.rawSql!.includes("kind NOT IN ('mood', 'burst')"))).toBe(
      true,
    );
    expect(trendQueries.some((q) => q.rawSql!.includes("kind IN ('mood', 'burst')"))).toBe(true);
  });

  it('defines every template variable its queries use, $subreddit from fact_windows', () => {
    const variables = new Map(dashboard.templating.list.map((v) => [v.name, v]));
    const subreddit = variables.get('subreddit');
    expect(subreddit?.datasource?.uid).toBe(warehouse.uid);
    expect(subreddit?.query).toMatch(/\bFROM \w+\.fact_windows\b/);
    const referenced = new Set(
      targets.flatMap((t) =>
        [...`${t.expr ?? ''} ${t.rawSql ?? ''}`.matchAll(/\$\{?(\w+)/g)]
          .map((m) => m[1]!)
          .filter((name) => !name.startsWith('__')),
      ),
    );
    expect(referenced).toContain('subreddit');
    for (const name of referenced) expect(variables.has(name)).toBe(true);
  });
});
