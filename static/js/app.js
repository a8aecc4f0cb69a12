import { initAll } from "../vendor/nhsuk/nhsuk-frontend.min.js";

// NHS.UK frontend only starts on <body class="nhsuk-frontend-supported">, which its template
// sets with an inline script; a module script runs only where it is supported, so set it here.
document.body.classList.add("nhsuk-frontend-supported");
initAll();
