// Render /openapi.json as a readable page, offline (no Swagger UI from a CDN). textContent only.
"use strict";

(() => {
  const status = document.getElementById("docs-status");
  const endpoints = document.getElementById("endpoints");
  const schemas = document.getElementById("schemas");

  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  function refName(ref) {
    return ref.split("/").pop();
  }

  function typeOf(schema) {
    if (!schema) return "any";
    if (schema.$ref) return refName(schema.$ref);
    if (schema.anyOf) return schema.anyOf.map(typeOf).join(" | ");
    if (schema.type === "array") return `array of ${typeOf(schema.items)}`;
    if (schema.format === "binary" || schema.contentMediaType) return "file";
    let type = schema.type || "object";
    if (schema.minimum !== undefined || schema.maximum !== undefined) {
      type += ` (${schema.minimum ?? "…"}–${schema.maximum ?? "…"})`;
    }
    return type;
  }

  function fieldTable(schema, spec) {
    const resolved = schema && schema.$ref ? spec.components.schemas[refName(schema.$ref)] : schema;
    if (!resolved || !resolved.properties) return el("p", typeOf(schema));
    const table = el("table", undefined, "fields");
    const head = el("tr");
    for (const title of ["field", "type", "default", "description"]) head.append(el("th", title));
    table.append(head);
    const required = new Set(resolved.required || []);
    for (const [name, prop] of Object.entries(resolved.properties)) {
      const row = el("tr");
      row.append(el("td", required.has(name) ? `${name} *` : name));
      row.append(el("td", typeOf(prop)));
      row.append(el("td", prop.default === undefined ? "" : JSON.stringify(prop.default)));
      row.append(el("td", prop.description || ""));
      table.append(row);
    }
    return table;
  }

  function renderOperation(path, method, op, spec) {
    const card = el("section", undefined, "panel endpoint");
    const head = el("div", undefined, "endpoint-head");
    head.append(el("span", method.toUpperCase(), `method ${method}`));
    head.append(el("h3", path));
    head.append(el("p", op.summary || "", "endpoint-summary"));
    card.append(head);
    if (op.description) card.append(el("p", op.description, "description"));
    const body = op.requestBody && op.requestBody.content;
    if (body) {
      for (const [type, media] of Object.entries(body)) {
        card.append(el("h4", `Request body (${type})`));
        card.append(fieldTable(media.schema, spec));
      }
    }
    card.append(el("h4", "Responses"));
    const list = el("ul", undefined, "responses");
    for (const [code, response] of Object.entries(op.responses || {})) {
      const content = response.content ? Object.entries(response.content)[0] : null;
      const shape = content && content[1].schema ? ` → ${typeOf(content[1].schema)}` : "";
      list.append(el("li", `${code}: ${response.description || ""}${shape}`));
    }
    card.append(list);
    return card;
  }

  function render(spec) {
    for (const [path, item] of Object.entries(spec.paths)) {
      for (const [method, op] of Object.entries(item)) endpoints.append(renderOperation(path, method, op, spec));
    }
    const defs = (spec.components && spec.components.schemas) || {};
    if (Object.keys(defs).length) document.getElementById("schemas-title").hidden = false;
    for (const [name, schema] of Object.entries(defs)) {
      const block = el("section", undefined, "panel schema");
      block.id = `schema-${name}`;
      block.append(el("h3", name));
      if (schema.description) block.append(el("p", schema.description));
      block.append(fieldTable(schema, spec));
      schemas.append(block);
    }
    status.textContent = `${spec.info.title} ${spec.info.version}: ${Object.keys(spec.paths).length} endpoints.`;
  }

  fetch("/openapi.json")
    .then((response) => response.json())
    .then(render)
    .catch(() => { status.textContent = "Could not load /openapi.json from this server."; });
})();
