// SPDX-License-Identifier: GPL-2.0
/* Unit tests: the JSON writer's output, compact and pretty. */
#include <stdlib.h>
#include <string.h>

#include "../json.h"
#include "ktap.h"

static char *render(bool pretty)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct json *j = json_new(f, pretty);

	json_obj_open(j, NULL);
	json_str(j, "s", "a\"b\\c\n\x01");
	json_u64(j, "u", 18446744073709551615ULL);
	json_s64(j, "i", -2);
	json_bool(j, "t", true);
	json_null(j, "n");
	json_arr_open(j, "a");
	json_u64(j, NULL, 1);
	json_obj_open(j, NULL);
	json_obj_close(j);
	json_arr_close(j);
	json_arr_open(j, "e");
	json_arr_close(j);
	json_obj_close(j);
	json_end(j);
	fclose(f);
	return buf;
}

int main(void)
{
	char *compact = render(false), *pretty = render(true);

	KTAP_PLAN(2);
	KTAP_CHECK(!strcmp(compact,
			   "{\"s\":\"a\\\"b\\\\c\\n\\u0001\",\"u\":18446744073709551615,"
			   "\"i\":-2,\"t\":true,\"n\":null,\"a\":[1,{}],\"e\":[]}\n"),
		   "compact output");
	KTAP_CHECK(!strcmp(pretty,
			   "{\n  \"s\": \"a\\\"b\\\\c\\n\\u0001\",\n  \"u\": 18446744073709551615,\n"
			   "  \"i\": -2,\n  \"t\": true,\n  \"n\": null,\n  \"a\": [\n    1,\n    {}\n  ],\n"
			   "  \"e\": []\n}\n"),
		   "pretty output");
	if (ktap_failed)
		printf("# compact: %s# pretty: %s", compact, pretty);
	free(compact);
	free(pretty);
	KTAP_EXIT();
}
