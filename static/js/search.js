// The search page: asks the site's own Pagefind index, draws the results as cards.
//
// A reader types with or without tones. Pagefind folds tones away but keeps đ, so
// each record also holds a folded twin of its text (after "⁂", see
// render/search.py), and the query is searched as typed and folded. Results whose
// text holds the query as typed come first: "Đà Nẵng" before "Da Nang".
const TWIN = "⁂";
const MOST = 50;

const form = document.querySelector(".search-form");
const input = form.querySelector("input[name=q]");
const status = document.querySelector(".search-status[role=status]");
const list = document.querySelector(".search-results");
let pagefind = null;
let asked = 0;

function folded(text) {
  return text.replace(/đ/g, "d").replace(/Đ/g, "D")
    .normalize("NFD").replace(/\p{M}/gu, "").normalize("NFC");
}

function lower(text) {
  return text.toLocaleLowerCase("vi");
}

function wholeWords(query) {
  const words = lower(query).split(/\s+/).map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(`(?<![\\p{L}\\p{N}])${words.join("[^\\p{L}\\p{N}]+")}(?![\\p{L}\\p{N}])`, "u");
}

function said(template, count, query) {
  return template.replace("{count}", String(count)).replace("{query}", query);
}

async function search(query) {
  const ask = ++asked;
  pagefind ??= await import(form.dataset.pagefind);
  const asTyped = query.normalize("NFC").trim();
  if (!asTyped) {
    list.replaceChildren();
    status.textContent = "";
    return;
  }
  const bare = folded(asTyped);
  const found = new Map();
  for (const words of new Set([asTyped, bare])) {
    const answer = await pagefind.search(words);
    for (const result of answer.results) {
      const seen = found.get(result.id);
      if (!seen || seen.score < result.score) found.set(result.id, result);
    }
  }
  const best = [...found.values()].sort((a, b) => b.score - a.score).slice(0, MOST);
  const data = await Promise.all(best.map((result) => result.data()));
  if (ask !== asked) return; // a newer query is under way
  // Pagefind matches each word's beginning ("noi" finds "nối"); a Vietnamese word is
  // several syllables, so only the query's syllables in a row, whole, make a result.
  const whole = wholeWords(bare);
  const asWritten = wholeWords(asTyped);
  const ranked = data.map((item, i) => ({
    item,
    exact: asWritten.test(lower(item.content.split(TWIN)[0])),
    score: best[i].score,
  })).filter(({ item }) => whole.test(lower(folded(item.content))))
    .sort((a, b) => (b.exact - a.exact) || (b.score - a.score));
  list.replaceChildren(...ranked.map(({ item }) => card(item)));
  status.textContent = said(ranked.length ? form.dataset.results : form.dataset.none,
                            ranked.length, asTyped);
}

function card(item) {
  const li = document.createElement("li");
  const article = document.createElement("article");
  article.className = "card search-result";
  const heading = document.createElement("h2");
  heading.className = "card-title";
  const link = document.createElement("a");
  link.className = "card-link";
  link.href = item.url;
  const headline = document.createElement("span");
  headline.className = "card-headline";
  headline.textContent = item.meta.title;
  link.append(headline);
  heading.append(link);
  const meta = document.createElement("p");
  meta.className = "card-meta";
  const section = document.createElement("span");
  section.className = "card-section";
  section.textContent = item.meta.section;
  const time = document.createElement("time");
  time.className = "card-date";
  time.dateTime = item.meta.datetime;
  time.textContent = item.meta.date;
  meta.append(section, time);
  article.append(heading, meta);
  if (item.meta.lead) {
    const lead = document.createElement("p");
    lead.className = "card-excerpt";
    lead.textContent = item.meta.lead;
    article.append(lead);
  }
  li.append(article);
  return li;
}

function fromAddress() {
  const query = new URLSearchParams(location.search).get("q") || "";
  input.value = query;
  search(query);
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const url = new URL(location.href);
  url.searchParams.set("q", input.value.trim());
  history.pushState(null, "", url);
  search(input.value);
});
window.addEventListener("popstate", fromAddress);
fromAddress();
