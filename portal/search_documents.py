"""Content pages in the unified search. Portal sits above search in the dependency order, so
it registers its own kind (`kind_register` from PortalConfig.ready) instead of search
importing it."""

from __future__ import annotations

from search.documents import Document, page_is_public, page_url, plain_text


def _stream_text(body) -> str:
    """The words of a StreamField, whatever its blocks (headings, rich text, link cards)."""
    parts = []
    for block in body or []:
        value = block.value
        source = getattr(value, "source", None)
        if source is not None:  # RichText
            parts.append(plain_text(source))
        elif isinstance(value, str):
            parts.append(plain_text(value))
        elif hasattr(value, "items"):  # StructBlock
            parts.extend(plain_text(str(v)) for _k, v in value.items() if isinstance(v, str))
        elif isinstance(value, list | tuple):
            parts.extend(_stream_text_items(value))
    return " ".join(p for p in parts if p)


def _stream_text_items(items) -> list[str]:
    out = []
    for item in items:
        value = getattr(item, "value", item)
        if hasattr(value, "items"):
            out.extend(plain_text(str(v)) for _k, v in value.items() if isinstance(v, str))
        elif isinstance(value, str):
            out.append(plain_text(value))
    return out


def page_documents(ids) -> list[Document]:
    from portal.models import ContentPage

    docs = []
    for page in ContentPage.objects.filter(pk__in=list(ids)):
        docs.append(
            Document(
                kind="page",
                object_id=page.pk,
                url=page_url(page),
                title=page.title,
                summary=page.search_description or page.intro[:300],
                keywords=page.seo_title,
                text=page.intro,
                body=_stream_text(page.body),
                is_public=page_is_public(page),
                updated_at=page.last_published_at,
            )
        )
    return docs
