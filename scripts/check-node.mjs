// npm scripts run on the Node 22 binary that the `node` devDependency puts first on PATH.
const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  console.error(`Node ${process.versions.node} found on the npm script PATH; this project needs Node >= 22. Run \`npm install\` first (it installs Node 22 as a devDependency).`);
  process.exit(1);
}
