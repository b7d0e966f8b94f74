/*
 * selector: Kubernetes label-selector matching (metav1.LabelSelector as
 * labels.Selector evaluates it): every matchLabels pair and every
 * requirement must hold.
 */
#include <string.h>

#include "k8s/objects.h"

const char *k8s_label(const struct k8s_labels *l, const char *key)
{
	/* The synthetic labels are set over the object's own, as Cilium's
	 * serviceLabelSet does. */
	for (size_t i = 0; i < 2; i++)
		if (l->extra_key[i] != NULL && strcmp(l->extra_key[i], key) == 0)
			return l->extra_value[i];
	return json_string_value(json_object_get(l->map, key));
}

static bool value_listed(const struct k8s_selector_req *r, const char *value)
{
	for (size_t i = 0; i < r->n_values; i++)
		if (strcmp(r->values[i], value) == 0)
			return true;
	return false;
}

static bool requirement_holds(const struct k8s_selector_req *r, const struct k8s_labels *l)
{
	const char *value = k8s_label(l, r->key);

	switch (r->op) {
	case K8S_SEL_IN:
		return value != NULL && value_listed(r, value);
	case K8S_SEL_NOT_IN:
		return value == NULL || !value_listed(r, value);
	case K8S_SEL_EXISTS:
		return value != NULL;
	case K8S_SEL_DOES_NOT_EXIST:
		return value == NULL;
	}
	return false;
}

bool k8s_selector_matches(const struct k8s_selector *s, const struct k8s_labels *l,
                          bool nil_matches)
{
	const char *key;
	json_t *want;

	if (!s->present)
		return nil_matches;
	json_object_foreach((json_t *)s->match_labels, key, want)
	{
		const char *value = k8s_label(l, key);
		if (value == NULL || strcmp(value, json_string_value(want)) != 0)
			return false;
	}
	for (size_t i = 0; i < s->n_reqs; i++)
		if (!requirement_holds(&s->reqs[i], l))
			return false;
	return true;
}
