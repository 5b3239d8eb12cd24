// The tutor page's message renderer (www/tutor.html): Markdown and maths from untrusted text, the student's
// or the model's. Maths is cut out before Markdown runs (so "a_1 * b_2" stays maths, not emphasis), the
// Markdown's HTML is sanitised, and only then is each formula rendered by KaTeX into its own node, as MathML
// (browsers draw it natively: no fonts or stylesheet to ship).
import { marked } from "marked";
import DOMPurify from "dompurify";
import katex from "katex";

// $$…$$ and \[…\] on their own, \(…\) and $…$ inline; a lone "$5 and $10" is money, not maths: the inline
// form needs no space inside either dollar and no digit right after the closing one
const MATH = /\$\$([\s\S]+?)\$\$|\\\[([\s\S]+?)\\\]|\\\(([\s\S]+?)\\\)|\$(?=\S)([^$\n]*?\S)\$(?!\d)/g;
const TOKEN = /MATHTOKEN(\d+)X/g;

const PURIFY = {
	USE_PROFILES: { html: true },
	// no remote images (a reply could smuggle a tracking URL), no inline styles, no forms
	FORBID_TAGS: ["img", "style", "form", "input", "button", "textarea", "select", "iframe"],
	FORBID_ATTR: ["style", "class", "id"],
};

DOMPurify.addHook("afterSanitizeAttributes", (node) => {
	if (node.tagName === "A") {
		node.setAttribute("target", "_blank");
		node.setAttribute("rel", "noopener noreferrer nofollow");
	}
});

function cutMaths(text) {
	const formulas = [];
	const rest = text.replace(MATH, (whole, display, bracket, paren, inline) => {
		const tex = display ?? bracket ?? paren ?? inline;
		formulas.push({ tex, display: display !== undefined || bracket !== undefined, whole });
		return `MATHTOKEN${formulas.length - 1}X`;
	});
	return { rest, formulas };
}

function formulaNode(formula, inCode) {
	if (inCode) return document.createTextNode(formula.whole);
	const span = document.createElement("span");
	katex.render(formula.tex, span, {
		displayMode: formula.display,
		output: "mathml",
		throwOnError: false, // a typo shows the source in red, not a broken page
		trust: false,
		maxExpand: 200,
		maxSize: 20,
	});
	return span;
}

function putMathsBack(root, formulas) {
	const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
	const nodes = [];
	while (walker.nextNode()) {
		if (walker.currentNode.nodeValue.includes("MATHTOKEN")) nodes.push(walker.currentNode);
	}
	for (const node of nodes) {
		const inCode = !!node.parentElement.closest("code, pre");
		const parts = node.nodeValue.split(TOKEN);
		const fragment = document.createDocumentFragment();
		parts.forEach((part, index) => {
			// split() with a capture group: odd parts are the formula numbers
			if (index % 2 === 0) {
				if (part) fragment.appendChild(document.createTextNode(part));
			} else if (formulas[part]) {
				fragment.appendChild(formulaNode(formulas[part], inCode));
			}
		});
		node.replaceWith(fragment);
	}
}

export function renderMessage(element, text) {
	const { rest, formulas } = cutMaths(String(text || ""));
	const html = marked.parse(rest, { gfm: true, breaks: true, async: false });
	element.innerHTML = DOMPurify.sanitize(html, PURIFY);
	putMathsBack(element, formulas);
}

window.ai_school = window.ai_school || {};
window.ai_school.renderMessage = renderMessage;
