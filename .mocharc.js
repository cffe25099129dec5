// mocha's settings for `npm test`. Test files run in parallel worker processes: many tests wait on
// subprocesses, a browser or a paced endpoint, so one worker more than there are CPUs keeps the
// CPUs busy. Each file starts what it needs (ports, processes, temp folders) and cleans up after
// itself, so files do not depend on one another or on their order.
// Run one file alone with: npx mocha --no-config -r ts-node/register/transpile-only --extension ts <file>
const os = require("os");

module.exports = {
    require: ["ts-node/register/transpile-only"],
    extension: ["ts"],
    spec: ["tests/**/*.test.ts"],
    timeout: 60000,
    recursive: true,
    parallel: true,
    jobs: Math.max(2, os.availableParallelism() + 1),
};
