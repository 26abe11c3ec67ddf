// The betacontent reference frontend: one ES module, no build step, the DSFR for the looks.
// Everything shown comes from the betacontent JSON API, whose base URL is the `api` query
// parameter (default: this page's own origin, as `betacontent serve --frontend` serves it).
// The view is in the query string too: `?page=/url`, `?vue=programme` or `?q=words`.

const WEEKS_PER_MONTH = 52 / 12; // as the API counts its totals
const DEBOUNCE_MS = 250;
const SITE = "https://site.invalid"; // resolves a page's relative links without the network
const PHASE_COLOURS = ["#000091", "#313178", "#3558a2", "#1212ff"];
const COMMITTEE_COLOUR = "#e1000f";

const API_PARAM = new URLSearchParams(location.search).get("api");
const API = apiBase(API_PARAM);
const main = document.getElementById("contenu");
const searchInput = document.getElementById("recherche-input");
let generation = 0; // the latest view asked for: a slower, older answer is dropped
let searchTimer = 0;
let searchAbort = null;
let returnTo = null; // where an emptied search field goes back to
let shown = location.search; // the query string of the view on screen
let current = null; // the navigation entry of the view on screen (`@programme` for the timeline)

function apiBase(param) {
  if (param) return param.replace(/\/+$/, "");
  return location.protocol.startsWith("http") ? location.origin : "http://127.0.0.1:8000";
}

// --- HTML with escaping ---------------------------------------------------------------------

class Html {
  constructor(text) {
    this.text = text;
  }
}

const raw = (text) => new Html(text);
const ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

function fragment(value) {
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map(fragment).join("");
  if (value === null || value === undefined || value === false) return "";
  return String(value).replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

function html(strings, ...values) {
  return raw(strings.reduce((out, text, i) => out + fragment(values[i - 1]) + text));
}

// --- addresses ------------------------------------------------------------------------------

function encodeValue(value) {
  return encodeURIComponent(value).replace(/%2F/gi, "/").replace(/%3A/gi, ":");
}

/** The frontend's own address of a view: `{page}`, `{vue}` or `{q}`, the `api` kept. */
function linkTo(view, hash = "") {
  const pairs = API_PARAM ? [["api", API_PARAM]] : [];
  for (const key of ["page", "vue", "q"]) {
    if (view[key] !== undefined) pairs.push([key, view[key]]);
  }
  const query = pairs.map(([key, value]) => `${key}=${encodeValue(value)}`).join("&");
  return `${location.pathname}${query ? "?" + query : ""}${hash}`;
}

/** A site URL as an API path: each segment percent-encoded, trailing slash kept. */
function apiPath(url) {
  return url.split("/").map(encodeURIComponent).join("/");
}

async function getJSON(path, signal) {
  let response;
  try {
    response = await fetch(API + path, { headers: { Accept: "application/json" }, signal });
  } catch (error) {
    if (error.name === "AbortError") throw error;
    const detail = `${API} ne répond pas (${error.message})`;
    return { ok: false, status: 0, problem: { title: "API injoignable", detail } };
  }
  const type = response.headers.get("content-type") || "";
  const body = type.includes("json") ? await response.json() : null;
  if (response.ok) return { ok: true, status: response.status, body };
  const problem = body || { title: response.statusText, status: response.status };
  return { ok: false, status: response.status, problem };
}

// --- views ----------------------------------------------------------------------------------

function paint(token, view, content, title) {
  if (token !== generation) return false;
  main.dataset.view = view;
  main.innerHTML = fragment(content);
  main.removeAttribute("aria-busy");
  document.title = `${title} · betacontent`;
  return true;
}

async function render() {
  const token = ++generation;
  shown = location.search;
  const params = new URLSearchParams(location.search);
  main.setAttribute("aria-busy", "true");
  const q = params.get("q");
  if (q !== null) {
    searchInput.value = q;
    return showSearch(token, q);
  }
  searchInput.value = "";
  if (params.get("vue") === "programme") return showProgramme(token);
  return showPage(token, params.get("page") || "/");
}

async function showPage(token, url) {
  const result = await getJSON("/api/pages" + apiPath(url));
  if (!result.ok) {
    markCurrent(null);
    return paint(token, "erreur", problemView(result, url), "Erreur");
  }
  const page = result.body;
  if (!paint(token, "page", pageView(page), page.title || page.url)) return;
  if (page.url !== url) {
    history.replaceState(null, "", linkTo({ page: page.url }, location.hash));
    shown = location.search;
  }
  adaptContent(main.querySelector(".bc-page-content"), page.url);
  markCurrent(page.url);
  scrollToFragment();
}

function pageView(page) {
  const toc = page.toc.length ? summary(page.toc) : "";
  return html`<div class="fr-container fr-my-4w">
    ${page.breadcrumbs.length ? breadcrumb(page.breadcrumbs) : ""}
    <div class="fr-grid-row fr-grid-row--gutters">
      ${toc ? html`<div class="fr-col-12 fr-col-md-4"><div class="bc-sticky">${toc}</div></div>` : ""}
      <article class="fr-col-12${toc ? " fr-col-md-8" : ""}">
        <h1>${page.title || page.url}</h1>
        <div class="bc-page-content">${raw(page.html)}</div>
      </article>
    </div>
  </div>`;
}

function breadcrumb(crumbs) {
  const items = crumbs.map((crumb, i) => {
    if (i === crumbs.length - 1) {
      return html`<li><a class="fr-breadcrumb__link" aria-current="page">${crumb.title}</a></li>`;
    }
    if (!crumb.page) {
      const note = `lien non résolu : ${crumb.link || "aucun"}`;
      return html`<li><a class="fr-breadcrumb__link" title="${note}">${crumb.title}</a></li>`;
    }
    const href = linkTo({ page: crumb.page.url });
    return html`<li><a class="fr-breadcrumb__link" data-route href="${href}">${crumb.title}</a></li>`;
  });
  return html`<nav role="navigation" class="fr-breadcrumb" aria-label="vous êtes ici :">
    <button type="button" class="fr-breadcrumb__button" aria-expanded="false"
            aria-controls="fil-ariane">Voir le fil d’Ariane</button>
    <div class="fr-collapse" id="fil-ariane"><ol class="fr-breadcrumb__list">${items}</ol></div>
  </nav>`;
}

function summary(toc) {
  const list = (entries) =>
    html`<ol>${entries.map(
      (entry) => html`<li><a class="fr-summary__link" href="#${entry.id}">${entry.text}</a>
        ${entry.children.length ? list(entry.children) : ""}</li>`,
    )}</ol>`;
  return html`<nav class="fr-summary" role="navigation" aria-labelledby="sommaire-titre">
    <h2 class="fr-summary__title" id="sommaire-titre">Sommaire</h2>${list(toc)}
  </nav>`;
}

/** Internal links of a page's HTML lead to this frontend; images the API cannot serve
 * give way to their text. */
function adaptContent(container, pageUrl) {
  for (const anchor of container.querySelectorAll("a[href]")) {
    const href = anchor.getAttribute("href");
    if (href.startsWith("#")) continue;
    const target = new URL(href, SITE + pageUrl);
    if (target.origin !== SITE) continue;
    anchor.setAttribute("href", linkTo({ page: decodeURI(target.pathname) }, target.hash));
    anchor.dataset.route = "";
  }
  for (const image of container.querySelectorAll("img")) {
    const replace = () => {
      const note = document.createElement("p");
      note.className = "fr-text--sm bc-missing-image";
      note.textContent = `Image non disponible : ${image.alt || image.getAttribute("src")}`;
      image.replaceWith(note);
    };
    image.addEventListener("error", replace, { once: true });
    if (image.complete && image.naturalWidth === 0) replace();
  }
}

function problemView(result, url) {
  const { status, problem } = result;
  const withheld = Array.isArray(problem.codes) && problem.codes.length > 0;
  let heading = `Erreur ${status}`;
  let explanation = "L’API a refusé la demande.";
  if (withheld) {
    heading = "Page retenue : elle contient des erreurs";
    explanation =
      "L’API ne publie pas une page tant que le contrôle du contenu y trouve des erreurs. " +
      "Corrigez-les dans la source, puis rechargez.";
  } else if (status === 404) {
    heading = "Page introuvable";
    explanation = `Aucune page ne répond à l’adresse ${url}.`;
  } else if (status === 0) {
    heading = "API injoignable";
    explanation = "Vérifiez que `betacontent serve` tourne et le paramètre `api` de l’adresse.";
  }
  const row = (label, value) => (value ? html`<dt>${label}</dt><dd>${value}</dd>` : "");
  const codes = withheld ? problem.codes.map((code) => html`<code>${code}</code> `) : "";
  const report = `${API}/api/diagnostics?severity=error`;
  return html`<div class="fr-container fr-my-6w">
    <div class="fr-alert fr-alert--${withheld ? "warning" : "error"}" data-status="${status}">
      <h1 class="fr-alert__title">${heading}</h1>
      <p>${explanation}</p>
      <dl class="bc-problem">
        ${row("Titre", problem.title)} ${row("Statut", String(problem.status || status))}
        ${row("Détail", problem.detail)} ${row("Adresse", problem.instance)}
        ${withheld ? html`<dt>Codes</dt><dd class="bc-codes">${codes}</dd>` : ""}
      </dl>
      ${withheld ? html`<p><a href="${report}" rel="noopener">Rapport de contrôle de l’API</a></p>` : ""}
    </div>
    <p class="fr-mt-4w"><a class="fr-link" data-route href="${linkTo({ page: "/" })}">Retour à l’accueil</a></p>
  </div>`;
}

// --- the programme: four phases drawn to scale ----------------------------------------------

function inMonths(count, unit) {
  return unit === "week" ? count / WEEKS_PER_MONTH : count;
}

async function showProgramme(token) {
  const result = await getJSON("/api/phases");
  if (!result.ok) return paint(token, "erreur", problemView(result, "/api/phases"), "Erreur");
  markCurrent("@programme");
  return paint(token, "programme", programmeView(result.body), "Le programme");
}

// The site's phases carry what the site gives them: the frieze needs every duration, a
// phase without a page or a description is listed without them.
function programmeView(programme) {
  const committee = programme.investment_committee;
  const drawn = programme.phases.length > 0 && programme.total_text !== null;
  return html`<div class="fr-container fr-my-4w">
    <h1>Le programme en ${programme.phases.length} phases</h1>
    ${drawn
      ? html`<figure class="fr-content-media bc-timeline" role="group" aria-label="Frise du programme">
      ${timeline(programme)}
      <figcaption class="fr-content-media__caption">
        Largeur de chaque phase proportionnelle à sa durée maximale (semaines converties en
        mois : 52 semaines pour 12 mois).
        ${committee ? html`Losanges rouges : comité d’investissement, ${committee.text} depuis le début du programme.` : ""}
        Durée totale : ${programme.total_text}.
      </figcaption>
    </figure>`
      : ""}
    ${committee && committee.description ? html`<p class="fr-mt-4w">${committee.description}</p>` : ""}
    <ol class="bc-phase-list">
      ${programme.phases.map(
        (phase) => html`<li class="fr-mb-3w">
          <h2 class="fr-h5 fr-mb-1v">
            ${phase.page
              ? html`<a data-route href="${linkTo({ page: phase.page.url })}">${phase.label || phase.slug}</a>`
              : phase.label || phase.slug}
            ${phase.duration ? html`<span class="fr-text--md bc-duration">${phase.duration.text}</span>` : ""}
          </h2>
          ${phase.description ? html`<p class="fr-mb-0">${phase.description}</p>` : ""}
        </li>`,
      )}
    </ol>
  </div>`;
}

function timeline(programme) {
  const [x0, x1, barY, barH] = [20, 980, 64, 72];
  const axisY = barY + barH + 16;
  const spans = programme.phases.map((p) => inMonths(p.duration.max, p.duration.unit));
  const total = spans.reduce((sum, span) => sum + span, 0);
  const scale = (x1 - x0) / total;
  let x = x0;
  const blocks = programme.phases.map((phase, i) => {
    const name = phase.label || phase.slug;
    const width = spans[i] * scale;
    const fits = width >= name.length * 9 + 24;
    const middle = x + width / 2;
    // a label above a narrow block runs rightwards, or leftwards from the block's end
    const [labelX, anchor] =
      x + (name.length + 3) * 9 <= x1 ? [x, "start"] : [x + width, "end"];
    const labels = fits
      ? html`<text class="bc-on-phase" x="${middle}" y="${barY + 32}" text-anchor="middle">${name}</text>
          <text class="bc-on-phase bc-small" x="${middle}" y="${barY + 54}" text-anchor="middle">${phase.duration.text}</text>`
      : html`<text class="bc-on-phase" x="${middle}" y="${barY + 44}" text-anchor="middle">${phase.order}</text>
          <text x="${labelX}" y="${barY - 30}" text-anchor="${anchor}">${phase.order}. ${name}</text>
          <text class="bc-small" x="${labelX}" y="${barY - 10}" text-anchor="${anchor}">${phase.duration.text}</text>`;
    const shape = html`<rect class="bc-phase" data-slug="${phase.slug}" data-months="${spans[i]}"
              x="${x}" y="${barY}" width="${width}" height="${barH}"
              fill="${PHASE_COLOURS[i % PHASE_COLOURS.length]}">
          <title>${name} : ${phase.duration.text}</title>
        </rect>${labels}`;
    const block = phase.page
      ? html`<a class="bc-phase-link" data-route href="${linkTo({ page: phase.page.url })}">${shape}</a>`
      : html`<g>${shape}</g>`;
    x += width;
    return block;
  });
  // white gaps between the blocks, drawn over them so the blocks keep their exact widths
  let edge = x0;
  const gaps = spans.slice(0, -1).map((span) => {
    edge += span * scale;
    return html`<line x1="${edge}" x2="${edge}" y1="${barY}" y2="${barY + barH}" stroke="#fff" stroke-width="3"/>`;
  });
  const committee = programme.investment_committee;
  const marks = [];
  if (committee) {
    const every = inMonths(committee.every, committee.unit);
    for (let month = every; month < total - 1e-9; month += every) {
      const mx = x0 + month * scale;
      marks.push(html`<g class="bc-comite" data-months="${month}">
        <line x1="${mx}" x2="${mx}" y1="${barY - 4}" y2="${axisY}" stroke="${COMMITTEE_COLOUR}"
              stroke-width="2" stroke-dasharray="5 4"/>
        <path d="M ${mx} ${axisY - 8} l 8 8 l -8 8 l -8 -8 z" fill="${COMMITTEE_COLOUR}"/>
        <text class="bc-small" x="${mx}" y="${axisY + 30}" text-anchor="middle">${Math.round(month * 10) / 10} mois</text>
      </g>`);
    }
  }
  const height = axisY + 60;
  return html`<svg class="bc-timeline-svg" viewBox="0 0 1000 ${height}" role="img"
      aria-labelledby="frise-titre frise-desc" xmlns="http://www.w3.org/2000/svg">
    <title id="frise-titre">Les phases du programme, à l’échelle</title>
    <desc id="frise-desc">${programme.phases.map((p) => `${p.label || p.slug} : ${p.duration.text}. `)}</desc>
    <line x1="${x0}" x2="${x1}" y1="${axisY}" y2="${axisY}" stroke="#3a3a3a" stroke-width="2"/>
    <text class="bc-small" x="${x0}" y="${axisY + 52}">Début</text>
    <text class="bc-small" x="${x1}" y="${axisY + 52}" text-anchor="end">≈ ${Math.round(total)} mois</text>
    ${blocks}${gaps}${marks}
  </svg>`;
}

// --- search ---------------------------------------------------------------------------------

async function showSearch(token, q) {
  if (searchAbort) searchAbort.abort();
  searchAbort = new AbortController();
  let result;
  try {
    const query = new URLSearchParams({ q, limit: "10" });
    result = await getJSON(`/api/search?${query}`, searchAbort.signal);
  } catch {
    return false; // aborted by a newer search
  }
  markCurrent(null);
  if (!result.ok) return paint(token, "erreur", problemView(result, "/api/search"), "Erreur");
  return paint(token, "recherche", searchView(result.body), `Recherche : ${q}`);
}

function searchView(results) {
  const count =
    results.total === 0
      ? "Aucun résultat"
      : `${results.total} résultat${results.total > 1 ? "s" : ""}`;
  return html`<div class="fr-container fr-my-4w">
    <h1 class="fr-h2">Résultats pour « ${results.query} »</h1>
    <p role="status" class="bc-count">${count}</p>
    <ol class="bc-results">
      ${results.items.map(
        (item) => html`<li class="fr-mb-3w">
          <h2 class="fr-h5 fr-mb-1v">
            <a data-route href="${linkTo({ page: item.url })}">${raw(item.title_highlighted)}</a>
          </h2>
          <p class="fr-text--sm fr-mb-0">${raw(item.snippet)}</p>
          <p class="fr-text--xs fr-mb-0 bc-url">${item.url}</p>
        </li>`,
      )}
    </ol>
  </div>`;
}

function searchNow() {
  clearTimeout(searchTimer);
  const q = searchInput.value.trim();
  const searching = new URLSearchParams(location.search).has("q");
  if (!q) {
    if (searching) {
      history.replaceState(null, "", returnTo || linkTo({ page: "/" }));
      render();
    }
    return;
  }
  if (searching) {
    history.replaceState(null, "", linkTo({ q }));
  } else {
    returnTo = location.pathname + location.search + location.hash;
    history.pushState(null, "", linkTo({ q }));
  }
  render();
}

searchInput.addEventListener("input", () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(searchNow, DEBOUNCE_MS);
});
document.getElementById("recherche").addEventListener("submit", (event) => {
  event.preventDefault();
  searchNow();
});

// --- navigation -----------------------------------------------------------------------------

async function loadNavigation() {
  const list = document.querySelector("#navigation .fr-nav__list");
  const result = await getJSON("/api/navigation");
  const programme = html`<li class="fr-nav__item">
    <a class="fr-nav__link" data-route data-page="@programme" href="${linkTo({ vue: "programme" })}">Le programme</a></li>`;
  if (!result.ok) {
    list.innerHTML = fragment(programme);
    return;
  }
  const root = result.body;
  const link = (node) =>
    html`<a class="fr-nav__link" data-route data-page="${node.url}" href="${linkTo({ page: node.url })}">${node.title || node.url}</a>`;
  const flatten = (nodes) => nodes.flatMap((node) => [node, ...flatten(node.children)]);
  const entries = root.children.map((node, i) => {
    if (!node.children.length) return html`<li class="fr-nav__item">${link(node)}</li>`;
    return html`<li class="fr-nav__item">
      <button class="fr-nav__btn" type="button" aria-expanded="false" aria-controls="menu-${i}">${node.title || node.url}</button>
      <div class="fr-collapse fr-menu" id="menu-${i}"><ul class="fr-menu__list">
        ${[node, ...flatten(node.children)].map((n) => html`<li>${link(n)}</li>`)}
      </ul></div></li>`;
  });
  list.innerHTML = fragment([html`<li class="fr-nav__item">${link(root)}</li>`, entries, programme]);
  markCurrent(current);
}

/** `aria-current` on the navigation entry of the page shown (and on its menu's button). */
function markCurrent(entry) {
  current = entry;
  for (const item of document.querySelectorAll("#navigation .fr-nav__item")) {
    let inside = false;
    for (const anchor of item.querySelectorAll("a[data-page]")) {
      const here = anchor.dataset.page === entry;
      anchor.toggleAttribute("aria-current", here);
      if (here) anchor.setAttribute("aria-current", "page");
      inside ||= here;
    }
    const button = item.querySelector(".fr-nav__btn");
    if (button) button.toggleAttribute("aria-current", inside);
    if (button && inside) button.setAttribute("aria-current", "true");
  }
}

function closeMenus() {
  if (typeof window.dsfr !== "function") return;
  for (const menu of document.querySelectorAll("#navigation .fr-collapse")) {
    window.dsfr(menu).collapse?.conceal();
  }
  for (const modal of document.querySelectorAll(".fr-header .fr-modal")) {
    window.dsfr(modal).modal?.conceal();
  }
}

function scrollToFragment() {
  const id = decodeURIComponent(location.hash.slice(1));
  const target = id && document.getElementById(id);
  if (target) target.scrollIntoView();
}

async function go(url) {
  closeMenus();
  history.pushState(null, "", url);
  if (url.search === shown && url.hash) return scrollToFragment();
  await render();
  if (!location.hash) window.scrollTo(0, 0);
}

document.addEventListener("click", (event) => {
  const anchor = event.target.closest("a[data-route]");
  const modified = event.metaKey || event.ctrlKey || event.shiftKey || event.altKey;
  if (!anchor || !anchor.hasAttribute("href") || event.button !== 0 || modified) return;
  event.preventDefault();
  go(new URL(anchor.getAttribute("href"), location.href));
});

window.addEventListener("popstate", () => {
  if (location.search === shown) return scrollToFragment();
  shown = location.search;
  render();
});

for (const home of document.querySelectorAll(".fr-header__service a[data-route]")) {
  home.setAttribute("href", linkTo({ page: "/" }));
}
const apiLink = document.getElementById("api-base");
apiLink.textContent = API;
apiLink.href = `${API}/schema`;

render();
loadNavigation();
