from directory.selectors import labels_forget


def forget_term_labels(sender, instance, **kwargs):
    labels_forget(vocabulary=instance.vocabulary.slug)


def forget_place_names(sender, instance, **kwargs):
    labels_forget()
