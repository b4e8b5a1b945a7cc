/**
 * The benchmark's C programs (bench/c/), compiled with gcc into a temporary
 * directory at bench time. Without gcc, or when one fails to build, the
 * benchmark goes on without it and says why.
 *
 * @module
 */

const C_DIR = new URL("./c/", import.meta.url).pathname;

/** The C programs and the libraries they link. */
const PROGRAMS = {
  loader: ["-lpthread"],
  epoll_server: [],
  stream_server: ["-lpthread"],
} as const;

/** A C program of the benchmark. */
export type NativeProgram = keyof typeof PROGRAMS;

/** Built executables by name, and why the others are missing. */
export interface NativeBuild {
  paths: Partial<Record<NativeProgram, string>>;
  missing: Partial<Record<NativeProgram, string>>;
  compiler: string | undefined;
  dir: string | undefined;
}

async function gccVersion(): Promise<string | undefined> {
  try {
    const output = await new Deno.Command("gcc", {
      args: ["--version"],
      stdout: "piped",
      stderr: "null",
    }).output();
    if (!output.success) return undefined;
    return new TextDecoder().decode(output.stdout).split("\n")[0];
  } catch {
    return undefined;
  }
}

async function compile(
  source: string,
  output: string,
  flags: readonly string[],
  libraries: readonly string[],
): Promise<string | undefined> {
  const result = await new Deno.Command("gcc", {
    args: [...flags, "-o", output, source, ...libraries],
    stdout: "null",
    stderr: "piped",
  }).output();
  if (result.success) return undefined;
  return new TextDecoder().decode(result.stderr).trim().split("\n").slice(-3)
    .join(" ");
}

/**
 * Compiles every program. `-march=native` is tried first (the loader's
 * validation is vectorised and profits from it), then plain `-O2`.
 */
export async function buildNative(): Promise<NativeBuild> {
  const compiler = await gccVersion();
  const build: NativeBuild = {
    paths: {},
    missing: {},
    compiler,
    dir: undefined,
  };
  if (compiler === undefined) {
    for (const name of Object.keys(PROGRAMS) as NativeProgram[]) {
      build.missing[name] = "gcc not found";
    }
    return build;
  }
  build.dir = await Deno.makeTempDir({ prefix: "randport-bench-" });
  for (const [name, libraries] of Object.entries(PROGRAMS)) {
    const source = `${C_DIR}${name}.c`;
    const output = `${build.dir}/${name}`;
    let error = await compile(source, output, [
      "-O3",
      "-march=native",
    ], libraries);
    if (error !== undefined) {
      error = await compile(source, output, ["-O2"], libraries);
    }
    if (error === undefined) build.paths[name as NativeProgram] = output;
    else build.missing[name as NativeProgram] = error;
  }
  return build;
}

/** Removes the temporary directory of a build. */
export async function removeBuild(build: NativeBuild): Promise<void> {
  if (build.dir) await Deno.remove(build.dir, { recursive: true });
}
