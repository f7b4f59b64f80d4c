/* Configuration page of the team tab: saves the tab that shows the partner's escalations. */
(function () {
  'use strict';
  var status = document.getElementById('config-status');

  function withTimeout(promise, ms) {
    return new Promise(function (resolve, reject) {
      var timer = setTimeout(function () { reject(new Error('timed out')); }, ms);
      Promise.resolve(promise).then(function (v) { clearTimeout(timer); resolve(v); }, function (e) { clearTimeout(timer); reject(e); });
    });
  }

  async function start() {
    var strings = {};
    var sdk = window.microsoftTeams;
    var inTeams = false;
    try {
      await withTimeout(sdk.app.initialize(), 2000);
      inTeams = true;
    } catch (e) {
      inTeams = false;
    }
    var locale = navigator.language || 'en';
    if (inTeams) {
      try { var ctx = await withTimeout(sdk.app.getContext(), 2000); if (ctx && ctx.app && ctx.app.locale) locale = ctx.app.locale; } catch (e) { /* browser language */ }
    }
    // The page's strings come from locales/ (the `tab` section), in the reader's language.
    var language = 'en';
    try {
      var body = await (await fetch('/tab/strings.json?locale=' + encodeURIComponent(locale))).json();
      strings = body.tab || {};
      language = body.language || 'en';
    } catch (e) { strings = {}; }
    var config = strings.config || {};
    document.documentElement.lang = language;
    if (config.title) document.getElementById('config-title').textContent = config.title;
    if (config.text) document.getElementById('config-text').textContent = config.text;
    if (!inTeams) { status.textContent = config.outside || ''; return; }
    try {
      var context = await sdk.app.getContext();
      var theme = context && context.app ? context.app.theme : 'default';
      document.body.className = theme === 'dark' ? 'theme-dark' : theme === 'contrast' ? 'theme-contrast' : 'theme-default';
    } catch (e) { /* default theme */ }
    var origin = window.location.origin;
    sdk.pages.config.registerOnSaveHandler(function (saveEvent) {
      sdk.pages.config.setConfig({
        entityId: 'team-escalations',
        contentUrl: origin + '/tab/index.html?scope=team',
        websiteUrl: origin + '/tab/index.html?scope=team',
        suggestedDisplayName: (strings.title && strings.title.team) || 'Escalations',
      }).then(function () { saveEvent.notifySuccess(); }, function (e) { saveEvent.notifyFailure(String(e && e.message || e)); });
    });
    sdk.pages.config.setValidityState(true);
    status.textContent = config.ready || '';
  }

  void start();
})();
