/* Dropping root for good, as tcpdump does: supplementary groups, then gid, then uid, and a
 * check that the change cannot be undone. */
#include "capture/privileges.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

static bool failed(char *err, size_t errlen, const char *user, const char *what)
{
    snprintf(err, errlen, "-Z %s: %s: %s", user, what, strerror(errno));
    return false;
}

bool priv_drop(const char *user, char *err, size_t errlen)
{
    errno = 0;
    const struct passwd *pw = getpwnam(user);
    if (pw == NULL) {
        if (errno != 0 && errno != ENOENT && errno != ESRCH) {
            return failed(err, errlen, user, "getpwnam");
        }
        snprintf(err, errlen, "-Z %s: no such user", user);
        return false;
    }
    uid_t uid = pw->pw_uid;
    gid_t gid = pw->pw_gid;
    /* Groups first: once the uid changes, nothing else may be changed. */
    if (initgroups(pw->pw_name, gid) != 0) {
        return failed(err, errlen, user, "initgroups");
    }
    if (setgid(gid) != 0) {
        return failed(err, errlen, user, "setgid");
    }
    if (setuid(uid) != 0) {
        return failed(err, errlen, user, "setuid");
    }
    if (getuid() != uid || geteuid() != uid || getgid() != gid || getegid() != gid) {
        snprintf(err, errlen, "-Z %s: the user and group ids did not change", user);
        return false;
    }
    /* setuid() as root sets the saved set-user-ID too; make sure root cannot come back. */
    if (uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
        snprintf(err, errlen, "-Z %s: root privileges could be regained", user);
        return false;
    }
    return true;
}
