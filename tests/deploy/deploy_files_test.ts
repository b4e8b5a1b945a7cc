/**
 * The deployment files in `deploy/` (README, Deployment): what can run here
 * runs (`systemd-analyze verify` and `security` on the unit, `haproxy -c` on
 * the HAProxy configuration; ignored, saying why, where the tool is
 * missing), and every file is parsed and its fields that matter checked,
 * across files too: the flags each one gives the server exist, the ports and
 * paths agree, the drain's arithmetic holds.
 *
 * @module
 */

import assert from "node:assert/strict";
import { commandWorks, run, tempDir } from "../_util.ts";
import {
  assertServerKnows,
  compilePermissions,
  containerStages,
  execForm,
  flagValue,
  haproxyLines,
  haproxySeconds,
  haproxySection,
  type Instruction,
  listRepoFolder,
  loadYaml,
  parseContainerfile,
  parseFlags,
  parseHaproxy,
  parseUnit,
  readRepoFile,
  systemdSeconds,
  unitValue,
  unitValues,
  within,
  writeFile,
  type Yaml,
} from "./_deploy_files.ts";

const UNIT = "deploy/randport.service";
const CONTAINERFILE = "deploy/Containerfile";
const HAPROXY_CFG = "deploy/haproxy.cfg";
const K8S = "deploy/kubernetes";

const PUSH_PORT = 27679;
const REQUEST_PORT = 27680;
const METRICS_PORT = 9464;
/** The server's default `--max-connections` (server.ts --help). */
const DEFAULT_MAX_CONNECTIONS = 10000;
/** The server's default `--idle-timeout` of the request port, in seconds. */
const DEFAULT_IDLE_TIMEOUT = 300;

const SYSTEMD_ANALYZE = await commandWorks("systemd-analyze", ["--version"]);
const SYSTEMD_NOTE = SYSTEMD_ANALYZE
  ? ""
  : " [ignored: systemd-analyze is not installed (Debian: systemd)]";
const HAPROXY = await commandWorks("haproxy", ["-v"]);
const HAPROXY_NOTE = HAPROXY
  ? ""
  : " [ignored: haproxy is not installed (Debian: haproxy)]";

// ---------------------------------------------------------------------------
// systemd

/** systemd's %d (credentials) and %S (state) specifiers, for a system unit. */
function expandSpecifiers(value: string): string {
  return value
    .replaceAll("%d", "/run/credentials/randport.service")
    .replaceAll("%S", "/var/lib");
}

/** The `deno compile` command of the Containerfile's build stage. */
async function containerCompile(): Promise<string> {
  const instructions = parseContainerfile(await readRepoFile(CONTAINERFILE));
  const compiles = instructions.filter((instruction) =>
    instruction.keyword === "RUN" && instruction.args.includes("deno compile")
  );
  assert.equal(compiles.length, 1, "one RUN deno compile");
  return compiles[0].args.split("&&")[0].trim();
}

Deno.test("systemd unit: a sandboxed network daemon, no capabilities, no W+X ban for V8", async () => {
  const text = await readRepoFile(UNIT);
  const unit = parseUnit(text);
  const sections = new Set(unit.map((entry) => entry.section));
  assert.deepEqual([...sections], ["Unit", "Service", "Install"]);
  assert.equal(unitValue(unit, "Install", "WantedBy"), "multi-user.target");
  assert.match(unitValue(unit, "Unit", "After"), /network-online\.target/);

  const expected: Record<string, string> = {
    DynamicUser: "yes",
    NoNewPrivileges: "yes",
    ProtectSystem: "strict",
    ProtectHome: "yes",
    PrivateTmp: "yes",
    PrivateDevices: "yes",
    ProtectKernelTunables: "yes",
    ProtectKernelModules: "yes",
    ProtectKernelLogs: "yes",
    ProtectControlGroups: "yes",
    RestrictNamespaces: "yes",
    RestrictRealtime: "yes",
    RestrictSUIDSGID: "yes",
    LockPersonality: "yes",
    RestrictAddressFamilies: "AF_INET AF_INET6",
    CapabilityBoundingSet: "",
    AmbientCapabilities: "",
    StateDirectory: "randport",
    ConfigurationDirectory: "randport",
    Restart: "on-failure",
    KillSignal: "SIGTERM",
    ExecReload: "/bin/kill -HUP $MAINPID",
  };
  for (const [key, value] of Object.entries(expected)) {
    assert.equal(unitValue(unit, "Service", key), value, `${key}=`);
  }
  assert.ok(
    unitValues(unit, "Service", "SystemCallFilter").includes("@system-service"),
    "SystemCallFilter=@system-service",
  );
  // V8 compiles JavaScript into memory it then executes: the directive
  // would kill the server at start. Its absence is deliberate, and said.
  assert.deepEqual(unitValues(unit, "Service", "MemoryDenyWriteExecute"), []);
  assert.match(text, /^#.*MemoryDenyWriteExecute=(?:.|\n#)*?\bJIT\b/m);
  // Nothing that would give back what the sandbox takes.
  for (
    const key of ["User", "Group", "PrivateNetwork", "SupplementaryGroups"]
  ) {
    assert.deepEqual(unitValues(unit, "Service", key), [], `${key}=`);
  }
});

Deno.test("systemd unit: the server's flags, ports, stop timeout, file limit, key and draw log", async () => {
  const unit = parseUnit(await readRepoFile(UNIT));
  const [binary, ...args] = unitValue(unit, "Service", "ExecStart").split(
    /\s+/,
  );
  assert.equal(binary, "/usr/local/bin/randport-server");
  const flags = parseFlags(args.map(expandSpecifiers));

  // Ports above 1024: no CAP_NET_BIND_SERVICE needed.
  assert.equal(flagValue(flags, "--port"), String(PUSH_PORT));
  assert.equal(flagValue(flags, "--request-port"), String(REQUEST_PORT));
  assert.equal(flagValue(flags, "--metrics-port"), String(METRICS_PORT));
  assert.equal(flagValue(flags, "--metrics-host"), "127.0.0.1");

  // systemd's SIGKILL comes after the whole drain.
  const grace = Number(flagValue(flags, "--shutdown-grace"));
  const stop = systemdSeconds(unitValue(unit, "Service", "TimeoutStopSec"));
  assert.ok(grace > 0 && stop >= grace + 5, `stop ${stop} s, grace ${grace} s`);

  // One descriptor per client, and some to spare.
  const maxConnections = Number(
    flags.get("--max-connections") ?? DEFAULT_MAX_CONNECTIONS,
  );
  const nofile = Number(unitValue(unit, "Service", "LimitNOFILE"));
  assert.ok(nofile >= maxConnections + 100, `LimitNOFILE=${nofile}`);

  // The key comes as a credential; the draw log lives in the state folder.
  const credentials = unitValues(unit, "Service", "LoadCredential").map(
    (value) => value.split(":"),
  );
  const key = flagValue(flags, "--signing-key");
  assert.ok(
    credentials.some(([name, source]) =>
      key === `/run/credentials/randport.service/${name}` &&
      within(source, "/etc/randport")
    ),
    `--signing-key ${key} is not a LoadCredential= from /etc/randport`,
  );
  const log = flagValue(flags, "--draw-log");
  assert.ok(within(log, "/var/lib/randport"), `--draw-log ${log}`);

  // The binary the unit runs (compiled as the Containerfile does) may read
  // the key and the log and write the log, and nothing more.
  const permissions = compilePermissions(await containerCompile());
  assert.ok(permissions.net, "--allow-net");
  assert.deepEqual(permissions.others, [], "no other permission");
  for (const path of [key, log]) {
    assert.ok(
      permissions.read.some((folder) => within(path, folder)),
      `${path} is not within --allow-read=${permissions.read}`,
    );
  }
  assert.ok(permissions.write.some((folder) => within(log, folder)));
  assert.ok(
    permissions.write.every((folder) => within(folder, "/var/lib/randport")),
    `--allow-write=${permissions.write}: only the state folder`,
  );
  // And the server has every one of these flags (server.ts --help).
  await assertServerKnows(flags, UNIT);
});

Deno.test(
  `systemd unit: systemd-analyze verify has nothing to say, security rates it OK${SYSTEMD_NOTE}`,
  {
    ignore: !SYSTEMD_ANALYZE,
  },
  async () => {
    await using dir = await tempDir();
    // verify checks that ExecStart's program exists: a stand-in takes the
    // place of the compiled server, which is not built here.
    const stub = `${dir.path}/randport-server`;
    await writeFile(stub, "#!/bin/sh\nexit 0\n", { executable: true });
    const text = (await readRepoFile(UNIT)).replace(
      /^ExecStart=\/usr\/local\/bin\/randport-server /m,
      `ExecStart=${stub} `,
    );
    assert.ok(text.includes(`ExecStart=${stub} `));
    const unitPath = `${dir.path}/randport.service`;
    await writeFile(unitPath, text);

    const verify = await run("systemd-analyze", ["verify", unitPath]);
    assert.equal(verify.code, 0, verify.stderr);
    // verify exits 0 on unknown keys and bad values, but names them.
    assert.equal(verify.stderr, "", "systemd-analyze verify warned");
    assert.equal(verify.stdout, "");

    // And it does catch them: a misspelt directive gets a warning.
    await writeFile(
      `${dir.path}/typo.service`,
      text.replace("ProtectKernelLogs=yes", "ProtectKernelLog=yes"),
    );
    const typo = await run("systemd-analyze", [
      "verify",
      `${dir.path}/typo.service`,
    ]);
    assert.match(typo.stderr, /Unknown key 'ProtectKernelLog'/);

    // systemd's own rating, 0 (locked down) to 10 (exposed).
    const security = await run("systemd-analyze", [
      "security",
      "--offline=yes",
      "--no-pager",
      unitPath,
    ]);
    const level = /Overall exposure level for randport\.service: ([\d.]+)/.exec(
      security.stdout,
    );
    assert.ok(level, security.stdout + security.stderr);
    assert.ok(
      Number(level[1]) <= 2,
      `exposure ${level[1]}:\n${security.stdout}`,
    );
  },
);

// ---------------------------------------------------------------------------
// Containerfile

/** The words after the keyword of the one instruction of that kind in a stage. */
function only(stage: Instruction[], keyword: string): Instruction {
  const found = stage.filter((instruction) => instruction.keyword === keyword);
  assert.equal(found.length, 1, `${keyword}: ${found.length} in the stage`);
  return found[0];
}

/** The server's command line in the image: ENTRYPOINT, then CMD. */
async function imageCommand(): Promise<
  { entrypoint: string[]; cmd: string[] }
> {
  const stages = containerStages(
    parseContainerfile(await readRepoFile(CONTAINERFILE)),
  );
  const runtime = stages[stages.length - 1];
  return {
    entrypoint: execForm(only(runtime, "ENTRYPOINT")),
    cmd: execForm(only(runtime, "CMD")),
  };
}

Deno.test("Containerfile: deno compile in the official image, a small non-root runtime", async () => {
  const text = await readRepoFile(CONTAINERFILE);
  const stages = containerStages(parseContainerfile(text));
  assert.equal(stages.length, 2, "a build stage and a runtime stage");
  const [build, runtime] = stages;

  assert.equal(build[0].args, "docker.io/denoland/deno:2.9.6 AS build");
  const compile = await containerCompile();
  assert.match(compile, /^deno compile --frozen /);
  assert.match(compile, / --output \/out\/randport-server server\.ts$/);
  const permissions = compilePermissions(compile);
  assert.ok(permissions.net);
  assert.deepEqual(permissions.others, []);
  assert.deepEqual(permissions.write, ["/var/lib/randport"]);
  // The lock file comes along, so --frozen can hold the build to it.
  assert.ok(
    build.some((instruction) =>
      instruction.keyword === "COPY" && /\bdeno\.lock\b/.test(instruction.args)
    ),
    "deno.lock is copied",
  );

  const base = runtime[0].args;
  assert.match(base, /^gcr\.io\/distroless\/cc-debian12(:[a-z0-9.-]+)?$/);
  assert.ok(!/denoland/.test(base), "the runtime is not the Deno image");
  assert.ok(
    runtime.some((instruction) =>
      instruction.keyword === "COPY" &&
      /^--from=build \/out\/randport-server \/usr\/local\/bin\/randport-server$/
        .test(instruction.args)
    ),
    "the executable comes from the build stage",
  );

  const user = only(runtime, "USER").args;
  assert.match(user, /^\d+(:\d+)?$/, "USER by number (runAsNonRoot checks it)");
  assert.notEqual(Number(user.split(":")[0]), 0, "USER is not root");

  const exposed = only(runtime, "EXPOSE").args.split(/\s+/);
  assert.deepEqual(
    exposed.sort(),
    [`${PUSH_PORT}/tcp`, `${REQUEST_PORT}/tcp`, `${METRICS_PORT}/tcp`].sort(),
  );
  assert.equal(only(runtime, "STOPSIGNAL").args, "SIGTERM");
  // No shell in distroless to run a HEALTHCHECK with; the file says so.
  assert.ok(
    !runtime.some((instruction) => instruction.keyword === "HEALTHCHECK"),
  );
  assert.match(text, /^# No HEALTHCHECK: .*\n# .*no shell/m);
});

Deno.test("Containerfile: ENTRYPOINT binds 0.0.0.0, metrics too, on the exposed ports", async () => {
  const { entrypoint, cmd } = await imageCommand();
  assert.equal(entrypoint[0], "/usr/local/bin/randport-server");
  const flags = parseFlags([...entrypoint.slice(1), ...cmd]);
  assert.equal(flagValue(flags, "--host"), "0.0.0.0");
  assert.equal(flagValue(flags, "--metrics-host"), "0.0.0.0");
  assert.equal(flagValue(flags, "--port"), String(PUSH_PORT));
  assert.equal(flagValue(flags, "--request-port"), String(REQUEST_PORT));
  assert.equal(flagValue(flags, "--metrics-port"), String(METRICS_PORT));
  assert.equal(flagValue(flags, "--log-format"), "json");
  // And the server has every one of these flags (server.ts --help).
  await assertServerKnows(flags, CONTAINERFILE);
});

// ---------------------------------------------------------------------------
// Kubernetes

const K8S_FILES = [
  `${K8S}/deployment.yaml`,
  `${K8S}/service.yaml`,
  `${K8S}/poddisruptionbudget.yaml`,
  `${K8S}/kustomization.yaml`,
];

let manifests: Promise<Record<string, Yaml[]>> | undefined;

/** The one document of each manifest. */
async function manifest(file: string): Promise<Yaml> {
  manifests ??= loadYaml(K8S_FILES);
  const documents = (await manifests)[`${K8S}/${file}`];
  assert.equal(documents.length, 1, `${file}: one document`);
  return documents[0];
}

/** Whether every label of `selector` is in `labels`, with the same value. */
function selects(selector: Record<string, string>, labels: Yaml): boolean {
  const entries = Object.entries(selector ?? {});
  return entries.length > 0 &&
    entries.every(([key, value]) => labels?.[key] === value);
}

Deno.test("Kubernetes: the Deployment's probes, ports and flags agree with the image", async () => {
  const deployment = await manifest("deployment.yaml");
  assert.equal(deployment.apiVersion, "apps/v1");
  assert.equal(deployment.kind, "Deployment");
  assert.equal(deployment.spec.replicas, 2);
  const template = deployment.spec.template;
  assert.ok(
    selects(deployment.spec.selector.matchLabels, template.metadata.labels),
  );

  const containers: Yaml[] = template.spec.containers;
  assert.equal(containers.length, 1);
  const [container] = containers;
  assert.equal(container.command, undefined, "the image's ENTRYPOINT runs");
  const { entrypoint } = await imageCommand();
  const flags = parseFlags([...entrypoint.slice(1), ...container.args]);

  const ports = new Map<string, number>(
    container.ports.map((port: Yaml) => [port.name, port.containerPort]),
  );
  for (const name of ports.keys()) {
    assert.match(name, /^[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$/, "IANA_SVC_NAME");
  }
  assert.equal(ports.get("push"), Number(flagValue(flags, "--port")));
  assert.equal(
    ports.get("requests"),
    Number(flagValue(flags, "--request-port")),
  );
  assert.equal(
    ports.get("metrics"),
    Number(flagValue(flags, "--metrics-port")),
  );
  // The kubelet probes the pod's address, not loopback.
  assert.equal(flagValue(flags, "--metrics-host"), "0.0.0.0");

  const probePort = (probe: Yaml) =>
    typeof probe.httpGet.port === "string"
      ? ports.get(probe.httpGet.port)
      : probe.httpGet.port;
  assert.equal(container.readinessProbe.httpGet.path, "/readyz");
  assert.equal(probePort(container.readinessProbe), METRICS_PORT);
  assert.equal(container.livenessProbe.httpGet.path, "/healthz");
  assert.equal(probePort(container.livenessProbe), METRICS_PORT);
  // Liveness is not quicker to give up than readiness: a draining pod is
  // taken out of the Service, not restarted.
  assert.ok(
    container.livenessProbe.periodSeconds *
        container.livenessProbe.failureThreshold >
      container.readinessProbe.periodSeconds *
        (container.readinessProbe.failureThreshold ?? 3),
  );

  const annotations = template.metadata.annotations;
  assert.equal(annotations["prometheus.io/scrape"], "true");
  assert.equal(annotations["prometheus.io/port"], String(METRICS_PORT));
  assert.equal(annotations["prometheus.io/path"], "/metrics");

  assert.match(container.resources.requests.cpu, /^\d+m?$/);
  assert.match(container.resources.requests.memory, /^\d+Mi$/);
  assert.match(container.resources.limits.memory, /^\d+Mi$/);
  // And the server has every one of these flags (server.ts --help).
  await assertServerKnows(flags, `${K8S}/deployment.yaml`);
});

Deno.test("Kubernetes: preStop sleeps, then SIGTERM drains, all within the grace period", async () => {
  const deployment = await manifest("deployment.yaml");
  const spec = deployment.spec.template.spec;
  const [container] = spec.containers;
  const preStop = container.lifecycle.preStop;
  // distroless has no sleep binary for an exec hook: the kubelet's sleep
  // action (Kubernetes 1.30+).
  assert.deepEqual(Object.keys(preStop), ["sleep"]);
  const sleep = preStop.sleep.seconds;
  assert.ok(Number.isInteger(sleep) && sleep >= 5, `preStop sleep ${sleep}`);
  const { entrypoint } = await imageCommand();
  const flags = parseFlags([...entrypoint.slice(1), ...container.args]);
  const grace = Number(flagValue(flags, "--shutdown-grace"));
  assert.ok(grace > 0);
  // The kubelet's SIGKILL comes terminationGracePeriodSeconds after the
  // start of preStop: the sleep and the whole drain fit, with room.
  const period = spec.terminationGracePeriodSeconds;
  assert.ok(
    period >= sleep + grace + 5,
    `terminationGracePeriodSeconds ${period} < preStop ${sleep} + grace ${grace} + 5`,
  );
});

Deno.test("Kubernetes: non-root, read-only, no privilege escalation, no capabilities, RuntimeDefault seccomp", async () => {
  const deployment = await manifest("deployment.yaml");
  const spec = deployment.spec.template.spec;
  const [container] = spec.containers;
  const pod = spec.securityContext;
  const own = container.securityContext;
  assert.equal(own.runAsNonRoot ?? pod.runAsNonRoot, true);
  assert.equal(own.readOnlyRootFilesystem, true);
  assert.equal(own.allowPrivilegeEscalation, false);
  assert.notEqual(own.privileged, true);
  assert.deepEqual(own.capabilities.drop, ["ALL"]);
  assert.equal(own.capabilities.add, undefined);
  assert.equal(
    (own.seccompProfile ?? pod.seccompProfile).type,
    "RuntimeDefault",
  );
  assert.equal(spec.automountServiceAccountToken, false);
  assert.equal(spec.hostNetwork, undefined);
  // The same user as the image's USER.
  const stages = containerStages(
    parseContainerfile(await readRepoFile(CONTAINERFILE)),
  );
  const user = only(stages[stages.length - 1], "USER").args.split(":")[0];
  assert.equal(own.runAsUser ?? pod.runAsUser, Number(user));
  // A read-only root needs every mount to be declared.
  const volumes = new Set(spec.volumes.map((volume: Yaml) => volume.name));
  for (const mount of container.volumeMounts ?? []) {
    assert.ok(volumes.has(mount.name), `volume ${mount.name}`);
  }
});

Deno.test("Kubernetes: the Service and the PodDisruptionBudget select the Deployment's pods", async () => {
  const deployment = await manifest("deployment.yaml");
  const labels = deployment.spec.template.metadata.labels;
  const [container] = deployment.spec.template.spec.containers;
  const containerPorts = new Map<string, number>(
    container.ports.map((port: Yaml) => [port.name, port.containerPort]),
  );

  const service = await manifest("service.yaml");
  assert.equal(service.apiVersion, "v1");
  assert.equal(service.kind, "Service");
  assert.ok(["ClusterIP", "LoadBalancer"].includes(service.spec.type));
  assert.ok(selects(service.spec.selector, labels), "Service selector");
  const servicePorts = service.spec.ports.map((
    port: Yaml,
  ) => [port.name, port.port, containerPorts.get(port.targetPort)]);
  assert.deepEqual(servicePorts, [
    ["push", PUSH_PORT, PUSH_PORT],
    ["requests", REQUEST_PORT, REQUEST_PORT],
  ]);
  // Prometheus scrapes each pod; the metrics are not published.
  assert.ok(
    !service.spec.ports.some((port: Yaml) =>
      port.targetPort === "metrics" || port.port === METRICS_PORT
    ),
  );
  // The PROXY protocol case is explained where the choice is made.
  assert.match(await readRepoFile(`${K8S}/service.yaml`), /--proxy-protocol/);

  const pdb = await manifest("poddisruptionbudget.yaml");
  assert.equal(pdb.apiVersion, "policy/v1");
  assert.equal(pdb.kind, "PodDisruptionBudget");
  assert.deepEqual(
    pdb.spec.selector.matchLabels,
    deployment.spec.selector.matchLabels,
  );
  assert.ok(selects(pdb.spec.selector.matchLabels, labels));
  const { minAvailable, maxUnavailable } = pdb.spec;
  assert.ok(
    (minAvailable === 1 && maxUnavailable === undefined) ||
      (maxUnavailable === 1 && minAvailable === undefined),
    `minAvailable ${minAvailable}, maxUnavailable ${maxUnavailable}`,
  );
  assert.ok(
    deployment.spec.replicas > 1,
    "a PDB of 1 with 1 replica blocks drains",
  );
});

Deno.test("Kubernetes: kustomization.yaml lists every manifest of the folder", async () => {
  const kustomization = await manifest("kustomization.yaml");
  assert.equal(kustomization.kind, "Kustomization");
  const files = (await listRepoFolder(K8S)).filter((name) =>
    name.endsWith(".yaml") && name !== "kustomization.yaml"
  );
  assert.deepEqual([...kustomization.resources].sort(), files.sort());
});

Deno.test("Kubernetes: a YAML error is caught (duplicate keys)", async () => {
  // The parser is strict: the checks above would not pass a broken file.
  await using dir = await tempDir();
  const path = `${dir.path}/dup.yaml`;
  await writeFile(path, "a: 1\na: 2\n");
  const result = await run(Deno.execPath(), [
    "run",
    "--quiet",
    `--config=${new URL("../../deno.json", import.meta.url).pathname}`,
    `--allow-read=${dir.path}`,
    "--allow-env=LOG_TOKENS,LOG_STREAM",
    new URL("./_parse_yaml.ts", import.meta.url).pathname,
    path,
  ], { timeoutMs: 60_000 });
  assert.equal(result.code, 1);
  assert.match(result.stderr, /unique/i);
});

// ---------------------------------------------------------------------------
// HAProxy

Deno.test("HAProxy: TCP frontends on both ports, PROXY v2 to two servers each, checks that speak the protocols", async () => {
  const sections = parseHaproxy(await readRepoFile(HAPROXY_CFG));
  const defaults = haproxySection(sections, "defaults");
  assert.deepEqual(haproxyLines(defaults, "mode"), [["mode", "tcp"]]);
  const timeout = (name: string) => {
    const lines = haproxyLines(defaults, "timeout", name);
    assert.equal(lines.length, 1, `timeout ${name}`);
    return haproxySeconds(lines[0][2]);
  };
  assert.ok(timeout("connect") <= 10);
  assert.ok(timeout("client") >= 10 && timeout("server") >= 10);
  // A request connection may idle for the server's --idle-timeout: the
  // server, which says why, closes it first.
  assert.ok(timeout("tunnel") > DEFAULT_IDLE_TIMEOUT, "timeout tunnel");

  const [defaultServer] = haproxyLines(defaults, "default-server");
  for (const word of ["send-proxy-v2", "check", "check-send-proxy"]) {
    assert.ok(defaultServer?.includes(word), `default-server ${word}`);
  }

  const frontend = (name: string, port: number, backend: string) => {
    const section = haproxySection(sections, "frontend", name);
    assert.deepEqual(haproxyLines(section, "bind"), [["bind", `:${port}`]]);
    assert.deepEqual(haproxyLines(section, "default_backend"), [[
      "default_backend",
      backend,
    ]]);
  };
  frontend("push", PUSH_PORT, "randport_push");
  frontend("requests", REQUEST_PORT, "randport_requests");

  const servers = (name: string) => {
    const section = haproxySection(sections, "backend", name);
    assert.deepEqual(haproxyLines(section, "balance"), [[
      "balance",
      "leastconn",
    ]]);
    return {
      section,
      addresses: haproxyLines(section, "server").map((words) => words[2]),
    };
  };
  const push = servers("randport_push");
  assert.deepEqual(push.addresses, ["127.0.0.1:28679", "127.0.0.1:28689"]);
  const requests = servers("randport_requests");
  assert.deepEqual(requests.addresses, ["127.0.0.1:28680", "127.0.0.1:28690"]);
  assert.deepEqual(haproxyLines(requests.section, "option"), [[
    "option",
    "redis-check",
  ]]);

  // The push check passes on a payload's first character, not on ERR busy.
  const expect = haproxyLines(push.section, "tcp-check", "expect", "rstring");
  assert.equal(expect.length, 1);
  const pattern = new RegExp(expect[0][3]);
  for (const payload of ["58,25,73", "-5,3", "7\n", "[1,2]"]) {
    assert.match(payload, pattern);
  }
  assert.doesNotMatch("ERR busy server at its connection limit\n", pattern);
});

Deno.test(
  `HAProxy: haproxy -c accepts deploy/haproxy.cfg, and rejects a broken copy${HAPROXY_NOTE}`,
  {
    ignore: !HAPROXY,
  },
  async () => {
    const check = await run("haproxy", [
      "-c",
      "-f",
      `${new URL("../../", import.meta.url).pathname}${HAPROXY_CFG}`,
    ]);
    assert.equal(check.code, 0, check.stdout + check.stderr);
    assert.match(check.stdout + check.stderr, /Configuration file is valid/);
    assert.doesNotMatch(check.stdout + check.stderr, /\[WARNING\]|\[ALERT\]/);

    await using dir = await tempDir();
    const broken = `${dir.path}/broken.cfg`;
    await writeFile(
      broken,
      (await readRepoFile(HAPROXY_CFG)).replace(
        "option redis-check",
        "option redis-chek",
      ),
    );
    const bad = await run("haproxy", ["-c", "-f", broken]);
    assert.notEqual(bad.code, 0, "haproxy -c passed a broken configuration");
  },
);
