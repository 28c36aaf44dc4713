"""Form rendering in Nav's design system, with errors and help text tied to their inputs."""

from django import forms, template

register = template.Library()


def widget_kind(field) -> str:
    """Which markup a bound field needs: input, textarea, select, checkbox, radio or checkboxes."""
    widget = field.field.widget
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radio"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    return "input"


_INPUT_CLASSES = {
    "checkbox": "aksel-checkbox__input",
    "select": "aksel-select__input aksel-body-short",
    "textarea": "aksel-textarea__input aksel-body-short",
    "input": "aksel-text-field__input aksel-body-short",
}


@register.filter
def field_kind(field) -> str:
    return widget_kind(field)


@register.simple_tag
def form_input(field):
    """Render the field's widget with aksel classes, aria-invalid and aria-describedby."""
    widget = field.field.widget
    described_by = [widget.attrs.get("aria-describedby", "")]
    if field.help_text:
        described_by.append(f"{field.auto_id}_hjelp")
    if field.errors:
        described_by.append(f"{field.auto_id}_feil")
    attrs = {
        "class": " ".join(
            filter(None, [widget.attrs.get("class"), _INPUT_CLASSES.get(widget_kind(field))])
        )
    }
    if any(described_by):
        attrs["aria-describedby"] = " ".join(filter(None, described_by))
    if field.errors:
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)
