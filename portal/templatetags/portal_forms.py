"""Form rendering in Nav's design system, with errors and help text tied to their inputs."""

from django import forms, template

register = template.Library()

_INPUT_CLASSES = {
    forms.Select: "aksel-select__input",
    forms.SelectMultiple: "aksel-select__input",
    forms.Textarea: "aksel-textarea__input aksel-body-short",
    forms.CheckboxInput: "",
    forms.RadioSelect: "",
    forms.CheckboxSelectMultiple: "",
}


def widget_kind(field) -> str:
    widget = field.field.widget
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
        return "choices"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    return "input"


@register.filter
def field_kind(field) -> str:
    return widget_kind(field)


@register.simple_tag
def form_input(field):
    """Render the field's widget with aksel classes, aria-invalid and aria-describedby."""
    widget = field.field.widget
    css = next(
        (c for cls, c in _INPUT_CLASSES.items() if isinstance(widget, cls)),
        "aksel-text-field__input aksel-body-short",
    )
    described_by = []
    if field.help_text:
        described_by.append(f"{field.auto_id}_hjelp")
    if field.errors:
        described_by.append(f"{field.auto_id}_feil")
    attrs = {}
    if css:
        attrs["class"] = " ".join(filter(None, [widget.attrs.get("class"), css]))
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    if field.errors:
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)
