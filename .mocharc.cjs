// Under CI=true a skipped (pending) test or suite fails the run: nothing may silently not run.
// `npx mocha dist/test/x.test.js` runs just that file; with no file named, every suite runs.
const named = process.argv.slice(2).some((arg) => /\.test\.js$/.test(arg));
module.exports = {
  // After the last suite of a whole run: no secret or token in anything its services logged.
  ...(named ? {} : { spec: ['dist/test/**/*.test.js'], require: ['dist/test/helpers/log-scan.hooks.js'] }),
  timeout: 30000,
  exit: true,
  'enable-source-maps': true,
  'forbid-pending': process.env.CI === 'true',
  'forbid-only': process.env.CI === 'true',
};
