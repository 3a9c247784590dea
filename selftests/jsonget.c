// SPDX-License-Identifier: GPL-2.0
/*
 * jsonget - check that standard input is one well-formed JSON text (RFC
 * 8259) and print values from it, for the shell selftests: the guest has
 * no jq.
 *
 *   jsonget [QUERY...] <FILE
 *
 * A QUERY is "." (the whole text) or a path of ".name" and "[index]"
 * steps, optionally ending in "#" for the number of members or elements
 * of an object or array.  Strings print unescaped, other scalars as
 * written, objects and arrays as their text.  Exit status: 0; 1 when the
 * input is not JSON or a path does not exist; 2 on usage errors.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_INPUT (1 << 20)
#define MAX_DEPTH 64

static const char *text, *text_end;
static const char *err_at, *err_what;

static int error(const char *p, const char *what)
{
	if (!err_at) {
		err_at = p;
		err_what = what;
	}
	return -1;
}

static const char *ws(const char *p)
{
	while (p < text_end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

static int hex4(const char *p, unsigned int *v)
{
	int i;

	*v = 0;
	for (i = 0; i < 4; i++) {
		if (p + i >= text_end || !isxdigit((unsigned char)p[i]))
			return -1;
		*v = *v * 16 + (unsigned int)(isdigit((unsigned char)p[i]) ?
			p[i] - '0' : (tolower((unsigned char)p[i]) - 'a' + 10));
	}
	return 0;
}

/* UTF-8: a lead byte, then n bytes of 6 bits each, most significant first. */
static void put_utf8(char **o, unsigned int c)
{
	static const unsigned char lead[] = { 0, 0xc0, 0xe0, 0xf0 };
	int n = c < 0x80 ? 0 : c < 0x800 ? 1 : c < 0x10000 ? 2 : 3;
	char *q = *o;

	*q++ = (char)(lead[n] | c >> (6 * n));
	while (n--)
		*q++ = (char)(0x80 | ((c >> (6 * n)) & 0x3f));
	*o = q;
}

/*
 * A string at p (at its opening quote).  Returns the position after it;
 * when out is not NULL, writes the decoded string there (NUL-terminated;
 * it is never longer than the source).
 */
static const char *string(const char *p, char *out)
{
	unsigned int c, lo;

	if (p >= text_end || *p != '"')
		return error(p, "string expected"), NULL;
	for (p++; p < text_end && *p != '"'; p++) {
		if ((unsigned char)*p < 0x20)
			return error(p, "control character in a string"), NULL;
		if (*p != '\\') {
			if (out)
				*out++ = *p;
			continue;
		}
		if (++p >= text_end)
			break;
		switch (*p) {
		case '"': case '\\': case '/':
			c = (unsigned char)*p;
			break;
		case 'b': c = '\b'; break;
		case 'f': c = '\f'; break;
		case 'n': c = '\n'; break;
		case 'r': c = '\r'; break;
		case 't': c = '\t'; break;
		case 'u':
			if (hex4(p + 1, &c))
				return error(p, "bad \\u escape"), NULL;
			p += 4;
			if (c >= 0xd800 && c < 0xdc00 && p + 6 < text_end &&
			    p[1] == '\\' && p[2] == 'u' && !hex4(p + 3, &lo) &&
			    lo >= 0xdc00 && lo < 0xe000) {
				c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
				p += 6;
			}
			break;
		default:
			return error(p, "bad escape"), NULL;
		}
		if (out)
			put_utf8(&out, c);
	}
	if (p >= text_end)
		return error(p, "unterminated string"), NULL;
	if (out)
		*out = '\0';
	return p + 1;
}

static const char *digits(const char *p)
{
	const char *s = p;

	while (p < text_end && isdigit((unsigned char)*p))
		p++;
	return p > s ? p : NULL;
}

static const char *number(const char *p)
{
	if (p < text_end && *p == '-')
		p++;
	if (p < text_end && *p == '0')
		p++;
	else if (!(p = digits(p)))
		return NULL;
	if (p < text_end && *p == '.' && !(p = digits(p + 1)))
		return NULL;
	if (p < text_end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < text_end && (*p == '+' || *p == '-'))
			p++;
		if (!(p = digits(p)))
			return NULL;
	}
	return p;
}

/* Validates the value at p (no leading white space); returns its end. */
static const char *value(const char *p, int depth)
{
	const char *q;
	size_t n;

	if (depth > MAX_DEPTH)
		return error(p, "nested too deeply"), NULL;
	if (p >= text_end)
		return error(p, "value expected"), NULL;
	switch (*p) {
	case '{':
	case '[': {
		char close = *p == '{' ? '}' : ']';

		p = ws(p + 1);
		if (p < text_end && *p == close)
			return p + 1;
		for (;;) {
			if (close == '}') {
				p = string(p, NULL);
				if (!p)
					return NULL;
				p = ws(p);
				if (p >= text_end || *p != ':')
					return error(p, "':' expected"), NULL;
				p = ws(p + 1);
			}
			p = value(p, depth + 1);
			if (!p)
				return NULL;
			p = ws(p);
			if (p < text_end && *p == ',') {
				p = ws(p + 1);
				continue;
			}
			if (p < text_end && *p == close)
				return p + 1;
			return error(p, "',' or end of container expected"), NULL;
		}
	}
	case '"':
		return string(p, NULL);
	case 't': case 'f': case 'n':
		for (n = 0; n < 3; n++) {
			const char *lit[] = { "true", "false", "null" };

			if (lit[n][0] == *p && (size_t)(text_end - p) >= strlen(lit[n]) &&
			    !memcmp(p, lit[n], strlen(lit[n])))
				return p + strlen(lit[n]);
		}
		return error(p, "bad literal"), NULL;
	default:
		q = number(p);
		return q ? q : (error(p, "value expected"), NULL);
	}
}

/* The members or elements of the container at p, calling back on each. */
static const char *step(const char *p, const char *path);

static const char *find(const char *p, const char *path, int *count)
{
	char close = *p == '{' ? '}' : ']';
	long index = -1, i = 0;
	char key[4096], *end;
	const char *name = NULL;
	size_t name_len = 0;

	if (*path == '.') {
		if (close != '}')
			return NULL;
		name = path + 1;
		name_len = strcspn(name, ".[#");
	} else if (*path == '[') {
		if (close != ']')
			return NULL;
		index = strtol(path + 1, &end, 10);
		if (end == path + 1 || *end != ']' || index < 0)
			return NULL;
	}
	p = ws(p + 1);
	if (*p == close) {
		*count = 0;
		return count && !*path ? p : NULL;
	}
	for (;;) {
		if (close == '}') {
			const char *k = p;

			if ((size_t)(string(p, NULL) - p) > sizeof(key))
				return NULL;
			p = ws(string(k, key));
			p = ws(p + 1);
			if (name && strlen(key) == name_len && !strncmp(key, name, name_len))
				return step(p, name + name_len);
		} else if (i == index) {
			return step(p, strchr(path, ']') + 1);
		}
		i++;
		p = ws(value(p, 0));
		if (*p == close)
			break;
		p = ws(p + 1);
	}
	*count = (int)i;
	return NULL;
}

static const char *result_start, *result_end;
static int result_count = -1;

/* Follows path from the value at p; records what it names. */
static const char *step(const char *p, const char *path)
{
	int count = -1;

	if (!*path || !strcmp(path, "#")) {
		result_start = p;
		result_end = value(p, 0);
		if (*path == '#') {
			if (*p != '{' && *p != '[')
				return NULL;
			find(p, "", &count);
			result_count = count;
		}
		return p;
	}
	if (*p != '{' && *p != '[')
		return NULL;
	return find(p, path, &count);
}

int main(int argc, char **argv)
{
	static char buf[MAX_INPUT + 1];
	const char *p;
	size_t len;
	int i, ret = 0;

	len = fread(buf, 1, sizeof(buf), stdin);
	if (len > MAX_INPUT) {
		fprintf(stderr, "jsonget: input larger than %d bytes\n", MAX_INPUT);
		return 1;
	}
	text = buf;
	text_end = buf + len;
	p = value(ws(text), 0);
	if (p && ws(p) != text_end)
		error(ws(p), "text after the value");
	if (err_at || !p) {
		fprintf(stderr, "jsonget: not JSON: %s at byte %ld\n",
			err_what ? err_what : "?", (long)(err_at - text));
		return 1;
	}
	for (i = 1; i < argc; i++) {
		const char *q = argv[i];

		if (q[0] != '.' && q[0] != '[') {
			fprintf(stderr, "jsonget: a query starts with '.' or '['\n");
			return 2;
		}
		result_start = NULL;
		result_count = -1;
		if (!strcmp(q, ".") || !strcmp(q, ".#"))
			q++;
		if (!step(ws(text), q) || !result_start) {
			fprintf(stderr, "jsonget: %s: not found\n", argv[i]);
			ret = 1;
			continue;
		}
		if (result_count >= 0) {
			printf("%d\n", result_count);
		} else if (*result_start == '"') {
			char *s = malloc((size_t)(result_end - result_start) + 1);

			if (!s)
				return 1;
			string(result_start, s);
			printf("%s\n", s);
			free(s);
		} else {
			printf("%.*s\n", (int)(result_end - result_start), result_start);
		}
	}
	return ret;
}
