-- Accessibility metadata for the Typst PDF (the accessibility law, DOS-lagen, covers
-- documents a public body publishes):
--  * the PDF's title and author come from the report's front matter (Quarto 1.7 writes
--    neither into the PDF's metadata);
--  * every figure carries its `fig-alt` as Typst's `alt:` (Pandoc 3.6 writes
--    `image("x.png")` without it).
-- HTML is untouched: Quarto writes `alt=` and `<title>` there itself.
if not quarto.doc.is_format("typst") then
  return {}
end

local function typst_string(text)
  -- A Typst string literal: the backslash first, then the quote.
  local escaped = text:gsub("\\", "\\\\"):gsub('"', '\\"')
  return '"' .. escaped .. '"'
end

local function alt_of(img)
  local alt = img.attributes["fig-alt"] or img.attributes["alt"]
  if (alt == nil or alt == "") and #img.caption > 0 then
    alt = pandoc.utils.stringify(img.caption)
  end
  return alt
end

local function authors(meta)
  local names = {}
  local list = meta["by-author"] or meta["author"]
  if list == nil then
    return names
  end
  if pandoc.utils.type(list) ~= "List" then
    list = { list }
  end
  for _, author in ipairs(list) do
    local name = author.name and (author.name.literal or author.name) or author
    local text = pandoc.utils.stringify(name)
    if text ~= "" then
      table.insert(names, typst_string(text))
    end
  end
  return names
end

return {
  {
    Image = function(img)
      local alt = alt_of(img)
      if alt == nil or alt == "" then
        return nil
      end
      return pandoc.RawInline("typst", "#box(image(" .. typst_string(img.src) .. ", alt: " .. typst_string(alt) .. "))")
    end,
  },
  {
    Pandoc = function(doc)
      local fields = {}
      if doc.meta.title then
        table.insert(fields, "title: " .. typst_string(pandoc.utils.stringify(doc.meta.title)))
      end
      local names = authors(doc.meta)
      if #names > 0 then
        table.insert(fields, "author: (" .. table.concat(names, ", ") .. ",)")
      end
      if #fields > 0 then
        doc.blocks:insert(1, pandoc.RawBlock("typst", "#set document(" .. table.concat(fields, ", ") .. ")"))
      end
      return doc
    end,
  },
}
