// Karma configuration for `ng test` (runnerConfig: true in angular.json).
// Runs headless Debian Chromium with the flags the e2e tests use too (--no-sandbox: we run as root).

process.env.CHROME_BIN = process.env.CHROME_BIN || '/usr/bin/chromium';

module.exports = function (config) {
  config.set({
    basePath: '',
    frameworks: ['jasmine'],
    plugins: [require('karma-jasmine'), require('karma-chrome-launcher'), require('karma-coverage')],
    client: {
      // IndexedDB, image encoding and replication are slow on loaded CI machines.
      jasmine: { timeoutInterval: 20000 },
    },
    coverageReporter: {
      dir: require('path').join(__dirname, './coverage/fieldbook'),
      subdir: '.',
      reporters: [{ type: 'html' }, { type: 'text-summary' }],
    },
    reporters: ['progress'],
    browsers: ['ChromeHeadlessCI'],
    customLaunchers: {
      ChromeHeadlessCI: {
        base: 'ChromeHeadless',
        flags: require('./test/support/chromium-flags.json'),
      },
    },
    singleRun: true,
    restartOnFileChange: false,
    // A loaded 2-core CI machine took over 30 s (Karma's default) to load the test bundle once.
    captureTimeout: 180000,
    // Longer than the longest spec may run (its own timeout, 300 s: 10,000 records migrated), which
    // reports nothing meanwhile: at 180 s a loaded CI machine cut such a spec off as a lost browser.
    browserNoActivityTimeout: 360000,
  });
};
