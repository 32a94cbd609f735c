// ESLint for extension/ (plain JS loaded unpacked: no bundler, no TypeScript). `make lint` runs it.
import js from "@eslint/js";
import globals from "globals";

const chromeGlobals = { ...globals.browser, ...globals.webextensions };

export default [
  js.configs.recommended,
  {
    files: ["**/*.js"],
    languageOptions: { ecmaVersion: 2022, sourceType: "script", globals: chromeGlobals },
    rules: {
      "no-unused-vars": ["error", { args: "none", caughtErrors: "none" }],
      eqeqeq: ["error", "always"],
      "no-var": "error",
      "prefer-const": "error",
    },
  },
  {
    // ES modules: the side panel (panel.html loads panel.js as a module) and the service worker
    // (manifest "type": "module").
    files: ["sidepanel/**/*.js", "background/**/*.js"],
    languageOptions: { sourceType: "module" },
  },
];
