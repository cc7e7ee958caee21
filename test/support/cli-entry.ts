// The CLI as a process, from sources (the shipped bin runs the compiled dist/ instead).
// With ORCH_TEST_KILL_AT set, the process SIGKILLs itself at that file write (see kill-at-write.ts).
if (process.env.ORCH_TEST_KILL_AT) await import("./kill-at-write.js");
const { main } = await import("../../src/cli/main.js");

process.exitCode = await main(process.argv.slice(2));
