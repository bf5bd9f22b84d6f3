/* SPDX-License-Identifier: GPL-2.0 */
/* iofairctl: a minimal streaming JSON writer, compact or pretty (-p). */
#ifndef IOFAIRCTL_JSON_H
#define IOFAIRCTL_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct json;

struct json *json_new(FILE *f, bool pretty);
/* Finishes the document with a newline and frees the writer. */
void json_end(struct json *j);

/* Containers; @key is NULL inside arrays and at the top level. */
void json_obj_open(struct json *j, const char *key);
void json_obj_close(struct json *j);
void json_arr_open(struct json *j, const char *key);
void json_arr_close(struct json *j);

void json_str(struct json *j, const char *key, const char *val);
void json_u64(struct json *j, const char *key, uint64_t val);
void json_s64(struct json *j, const char *key, int64_t val);
void json_bool(struct json *j, const char *key, bool val);
void json_null(struct json *j, const char *key);

#endif /* IOFAIRCTL_JSON_H */
