/* The value of one hexadecimal digit, for text read back (key log files, JSON Lines). */
#ifndef HSDUMP_DISSECTORS_BASE_HEX_H
#define HSDUMP_DISSECTORS_BASE_HEX_H

#include <stdint.h>

/* Each digit's value plus one; 0 for every other byte. A table, not comparisons: a key log of
 * 100,000 connections is 60 million digits. */
static const uint8_t hex_digit_plus_one[256] = {
    ['0'] = 1,   ['1'] = 2,   ['2'] = 3,   ['3'] = 4,   ['4'] = 5,   ['5'] = 6,   ['6'] = 7,
    ['7'] = 8,   ['8'] = 9,   ['9'] = 10,  ['a'] = 11,  ['b'] = 12,  ['c'] = 13,  ['d'] = 14,
    ['e'] = 15,  ['f'] = 16,  ['A'] = 11,  ['B'] = 12,  ['C'] = 13,  ['D'] = 14,  ['E'] = 15,
    ['F'] = 16,
};

/* 0-15 for '0'-'9', 'a'-'f' and 'A'-'F'; -1 for any other character. */
static inline int hex_digit_value(char c)
{
    return (int)hex_digit_plus_one[(unsigned char)c] - 1;
}

#endif
