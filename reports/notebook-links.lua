-- A "Källa" link under every embedded notebook output in the HTML reports, to the audited
-- cell in the executed notebook's page (`notebooks/<stem>-preview.html#cell-<label>`, which
-- the pipeline renders into the bundle). Quarto 1.7 links only the first embed from each
-- notebook (later ones are dropped when the preview is queued), so a figure further down
-- would have no trace to the cell that made it; its own inline links are switched off in
-- _quarto.yml (`notebook-links: global`) and this filter writes one per embed.
if not quarto.doc.is_format("html") then
  return {}
end

local function page_of(notebook)
  local folder = pandoc.path.directory(quarto.doc.input_file)
  local relative = pandoc.path.make_relative(notebook, folder)
  return (relative:gsub("%.ipynb$", "-preview.html"))
end

-- The notebooks behind the report, in order of first use, listed at its end (Quarto's own
-- list in the margin comes with the previews it renders, which _quarto.yml switches off).
local seen, notebooks = {}, {}

return {
  {
    Div = function(div)
      local notebook = div.attributes["notebook"]
      local cell = div.attributes["notebook-cellId"]
      if notebook == nil or cell == nil then
        return nil
      end
      local title = div.attributes["notebook-title"] or pandoc.path.filename(notebook)
      if not seen[notebook] then
        seen[notebook] = true
        table.insert(notebooks, { page = page_of(notebook), title = title })
        table.sort(notebooks, function(a, b)
          return a.page < b.page
        end)
      end
      local label = cell:gsub("^cell%-", "")
      -- On the notebook page a table or figure cell's anchor is its float's id (the label
      -- itself: Quarto gives such a cell no "cell-" id); any other cell has "cell-<label>".
      local anchor = (label:match("^tbl%-") or label:match("^fig%-")) and label or cell
      local link = pandoc.Link(
        { pandoc.Str("Källa: " .. title .. ", cell " .. label) },
        page_of(notebook) .. "#" .. anchor,
        "",
        pandoc.Attr("", { "quarto-notebook-link" })
      )
      div.content:insert(pandoc.Div({ pandoc.Plain({ link }) }, pandoc.Attr("", { "fc-source" })))
      return div
    end,
  },
  {
    Pandoc = function(doc)
      if #notebooks == 0 then
        return nil
      end
      local items = {}
      for _, nb in ipairs(notebooks) do
        table.insert(items, { pandoc.Plain({ pandoc.Link({ pandoc.Str(nb.title) }, nb.page) }) })
      end
      doc.blocks:insert(pandoc.Div({
        pandoc.Para({ pandoc.Strong({ pandoc.Str("Notebooks som tabellerna och figurerna kommer från") }) }),
        pandoc.BulletList(items),
      }, pandoc.Attr("", { "fc-notebooks" })))
      return doc
    end,
  },
}
