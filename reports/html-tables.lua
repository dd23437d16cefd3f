-- Wide tables in the HTML reports scroll sideways instead of being clipped: every table is
-- wrapped in a region that scrolls (fragile-care.css) and can be reached and scrolled with
-- the keyboard, with a name (tabindex, role and aria-label: axe-core's
-- "scrollable-region-focusable"). The name is the table's number ("Tabell 3") where it has one.
if not quarto.doc.is_format("html") then
  return {}
end

local function scrolling(tbl, name)
  return pandoc.Div({ tbl }, pandoc.Attr("", { "fc-table-scroll" }, { tabindex = "0", role = "region", ["aria-label"] = name }))
end

local function wrap_tables(blocks, name)
  return blocks:walk({
    Table = function(tbl)
      return scrolling(tbl, name)
    end,
  })
end

return {
  {
    traverse = "topdown",
    Div = function(div)
      if not div.identifier:match("^tbl%-") then
        return nil
      end
      local name = pandoc.utils.stringify(div):match("^(.-):") or "Tabell"
      div.content = wrap_tables(div.content, name)
      return div, false -- its tables are wrapped: do not visit them again
    end,
    Table = function(tbl)
      -- A table outside a numbered float (none today): still scrollable and named.
      return scrolling(tbl, "Tabell"), false
    end,
  },
}
