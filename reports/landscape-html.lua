-- A `::: landscape` section turns the PDF page for a wide table; in HTML the same section
-- gets the page's full width (Quarto's column-page) instead of a sideways scroll.
function Div(div)
  if quarto.doc.is_format("html") and div.classes:includes("landscape") and not div.classes:includes("column-page") then
    div.classes:insert("column-page")
    return div
  end
end
