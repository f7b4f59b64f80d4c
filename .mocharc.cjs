// Under CI=true a skipped (pending) test or suite fails the run: nothing may silently not run.
module.exports = {
  spec: ['dist/test/**/*.test.js'],
  // After the last suite: no secret or token in anything the run's services logged.
  require: ['dist/test/support/log-scan.hooks.js'],
  timeout: 30000,
  exit: true,
  'enable-source-maps': true,
  'forbid-pending': process.env.CI === 'true',
  'forbid-only': process.env.CI === 'true',
};
