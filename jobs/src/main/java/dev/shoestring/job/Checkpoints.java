package dev.shoestring.job;

import java.io.IOException;
import java.util.Optional;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/** Finds retained checkpoints: {@code <checkpoints.dir>/<job id>/chk-<n>/_metadata}. */
public final class Checkpoints {
    private Checkpoints() {}

    /**
     * The most recent complete checkpoint under {@code checkpointsDir} (any job), by the time its
     * {@code _metadata} was written; empty when there is none.
     */
    public static Optional<String> latest(String checkpointsDir) throws IOException {
        Path root = new Path(checkpointsDir);
        FileSystem fs = root.getFileSystem();
        if (!fs.exists(root)) {
            return Optional.empty();
        }
        String best = null;
        long bestTime = Long.MIN_VALUE;
        long bestNumber = -1;
        for (FileStatus job : list(fs, root)) {
            if (!job.isDir()) {
                continue;
            }
            for (FileStatus chk : list(fs, job.getPath())) {
                String name = chk.getPath().getName();
                if (!chk.isDir() || !name.startsWith("chk-")) {
                    continue;
                }
                Path metadata = new Path(chk.getPath(), "_metadata");
                if (!fs.exists(metadata)) {
                    continue; // in progress or aborted
                }
                long time = fs.getFileStatus(metadata).getModificationTime();
                long number = Long.parseLong(name.substring(4));
                if (time > bestTime || (time == bestTime && number > bestNumber)) {
                    best = chk.getPath().toString();
                    bestTime = time;
                    bestNumber = number;
                }
            }
        }
        return Optional.ofNullable(best);
    }

    private static FileStatus[] list(FileSystem fs, Path dir) throws IOException {
        FileStatus[] s = fs.listStatus(dir);
        return s == null ? new FileStatus[0] : s;
    }
}
