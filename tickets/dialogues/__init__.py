"""Business-dialogue sessions (phiên đối thoại): the sessions and the questions businesses register for them
(`sessions`), the agenda built from the data (`agenda`), the commitments departments make in them, kept
under deadlines like tickets (`commitments`), the background jobs (`jobs`) and the agenda and minutes as
files (`export`)."""
